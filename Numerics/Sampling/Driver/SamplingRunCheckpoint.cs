namespace Transport.Numerics.Sampling;

/// <summary>
/// The driver's side of a sampling checkpoint, taken after a step (fixed samplers: after its correctors) or an
/// accepted adaptive step: counters, sums and the time grid so far. The particles at that step are the backend's side,
/// saved with it by whoever saves this (<see cref="ISamplingCheckpoints"/>). All randomness is keyed by (seed, particle,
/// step), so a run resumed from here repeats the uninterrupted run's arithmetic exactly.
/// </summary>
/// <param name="Steps">Accepted steps so far (fixed samplers: the index of the next step).</param>
/// <param name="Rejected">Rejected adaptive attempts so far.</param>
/// <param name="Evaluations">Evaluations so far.</param>
/// <param name="KineticEnergy">The kinetic sum over the particles so far.</param>
/// <param name="Particles">The particle count summed with it (per commit for the adaptive sampler).</param>
/// <param name="StepSize">The adaptive controller's next step size (0 for fixed samplers).</param>
/// <param name="Times">The accepted time points so far (adaptive sampler; the fixed grid is rebuilt).</param>
public sealed record SamplingRunCheckpoint(int Steps, int Rejected, int Evaluations, double KineticEnergy, long Particles, double StepSize, double[] Times)
{
    /// <summary>The time reached (adaptive sampler).</summary>
    public double Time => Times.Length > 0 ? Times[^1] : double.NaN;
}

/// <summary>
/// Where a sampling run saves its checkpoints: asked after every step whether one is due, then given the driver's
/// state, and saves the backend's particles with it.
/// </summary>
public interface ISamplingCheckpoints
{
    /// <summary>Whether a checkpoint is due after <paramref name="steps"/> steps.</summary>
    bool Due(int steps);

    /// <summary>Saves <paramref name="state"/> with the backend's particles; returns once the checkpoint is complete.</summary>
    Task SaveAsync(SamplingRunCheckpoint state, CancellationToken cancellationToken);
}
