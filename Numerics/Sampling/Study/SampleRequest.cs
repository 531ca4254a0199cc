
namespace Transport.Numerics.Sampling.Study;

/// <summary>
/// Everything <c>transport sample</c> parsed and validated, independent of which <see cref="ISampleRunner"/>
/// executes it. Names follow the command-line options.
/// </summary>
public sealed record SampleRequest
{
    /// <summary>The target distribution.</summary>
    public required SampleTarget Target { get; init; }

    /// <summary>Mean of a Gaussian source (<c>--source</c>), or null for the standard normal.</summary>
    public double[]? SourceMean { get; init; }

    /// <summary>Covariance of a Gaussian source, d x d row-major, or null for the identity.</summary>
    public double[]? SourceCovariance { get; init; }

    /// <summary>Schedule name: <c>linear</c>, <c>trig</c> or <c>vp</c>.</summary>
    public required string Schedule { get; init; }

    /// <summary>Sampler name: <c>euler</c>, <c>heun</c>, <c>rk4</c>, <c>adaptive</c>, <c>ddim</c> or <c>sde</c>.</summary>
    public required string Sampler { get; init; }

    /// <summary>Time grid: <c>uniform</c> or <c>karras</c>.</summary>
    public required string Grid { get; init; }

    /// <summary>The runs end at t = 1 - delta, delta in (0, 0.5).</summary>
    public required double Delta { get; init; }

    /// <summary>DDIM stochasticity eta &gt;= 0 (0 is deterministic DDIM).</summary>
    public required double Eta { get; init; }

    /// <summary>SDE diffusion level g &gt;= 0.</summary>
    public required double Diffusion { get; init; }

    /// <summary>Annealed Langevin corrector steps per time step (0: none).</summary>
    public required int CorrectorSteps { get; init; }

    /// <summary>Signal-to-noise ratio of the corrector steps.</summary>
    public required double CorrectorSnr { get; init; }

    /// <summary>Whether the final points are replaced by D(1 - delta, x).</summary>
    public required bool Snap { get; init; }

    /// <summary>Seed of the source noise and of the SDE increments.</summary>
    public required long Seed { get; init; }

    /// <summary>Coupling of noise and data: <c>independent</c> or <c>ot</c>.</summary>
    public required string Coupling { get; init; }

    /// <summary>Shards of the target data.</summary>
    public required int Shards { get; init; }

    /// <summary>Shards of the particles.</summary>
    public required int ParticleShards { get; init; }

    /// <summary>Number of coupling pairs (noise points matched to target samples) of an <c>ot</c> coupling.</summary>
    public int CouplingPairs { get; init; } = 1000;

    /// <summary>How the <c>ot</c> coupling is solved: <c>sinkhorn</c> (the cluster's distributed solver) or <c>exact</c> (assignment).</summary>
    public string CouplingSolver { get; init; } = "sinkhorn";

    /// <summary>Bandwidth sigma of the coupled interpolant's static latent.</summary>
    public double CouplingBandwidth { get; init; } = 0.1;

    /// <summary>Sinkhorn blur as a fraction of the clouds' diameter (epsilon = (blur x diameter)^2).</summary>
    public double CouplingBlur { get; init; } = 0.01;

    /// <summary>Tolerance (rtol = atol) of the adaptive sampler.</summary>
    public required double Tolerance { get; init; }

    /// <summary>Source points given with <c>--noise</c> (row-major n x d), or null to draw them with <see cref="Numerics.Sampling.SourceNoise"/>.</summary>
    public double[]? Noise { get; init; }

    /// <summary>Number of particles n.</summary>
    public required int Count { get; init; }

    /// <summary>Dimension d (equal to the target's).</summary>
    public int Dimension => Target.Dimension;

    /// <summary>The end time 1 - delta.</summary>
    public double EndTime => 1.0 - Delta;
}

/// <summary>The outcome of one sampling run.</summary>
/// <param name="Samples">The final points, row-major n x d, in the order of the source points.</param>
/// <param name="Evaluations">Denoiser evaluations on the batch (NFE).</param>
/// <param name="Seconds">Wall-clock seconds of the run.</param>
public sealed record SampleRunResult(double[] Samples, int Evaluations, double Seconds)
{
    /// <summary>E integral |v|^2 dt along the paths (whitened coordinates; NaN when the runner does not report it).</summary>
    public double KineticEnergy { get; init; } = double.NaN;

    /// <summary>E|y_end - z|^2 in the same coordinates (NaN when not reported).</summary>
    public double Displacement { get; init; } = double.NaN;

    /// <summary>Accepted steps (the adaptive sampler chooses its own).</summary>
    public int Steps { get; init; }

    /// <summary>Calls the run's shard grains received (0 in process).</summary>
    public long Messages { get; init; }

    /// <summary>Payload bytes of those calls (0 in process).</summary>
    public long PayloadBytes { get; init; }

    /// <summary>Shard grains whose calls were counted (0 in process).</summary>
    public int TrafficShards { get; init; }

    /// <summary>Step attempts the traffic is divided by (0 in process).</summary>
    public long TrafficIterations { get; init; }
}

/// <summary>
/// Executes one sampling run of a <see cref="SampleRequest"/> with a given step count. The command does not know
/// which implementation it talks to: <see cref="LocalSampleRunner"/> in this process, or a cluster runner.
/// </summary>
public interface ISampleRunner
{
    /// <summary>Runs <paramref name="request"/> with <paramref name="steps"/> time steps (ignored by the adaptive sampler).</summary>
    Task<SampleRunResult> RunAsync(SampleRequest request, int steps, CancellationToken ct);
}
