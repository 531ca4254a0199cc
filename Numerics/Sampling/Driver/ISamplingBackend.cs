namespace Transport.Numerics.Sampling;

/// <summary>
/// The particles of a sampling run, split into blocks (in process: <see cref="LocalSamplingBackend"/>; on a
/// cluster: particle shards). Every call is applied to every block and the block totals are added in block order.
/// The <see cref="SamplingDriver"/> decides the times; the backend only executes.
/// </summary>
public interface ISamplingBackend
{
    /// <summary>One fixed step of every block (see <see cref="ParticleBlockSampler.StepAsync"/>).</summary>
    ValueTask<StepTotals> StepAsync(int index, double t, double nextTime, CancellationToken cancellationToken);

    /// <summary>The corrector steps of every block at time <paramref name="t"/>.</summary>
    ValueTask CorrectAsync(int index, double t, CancellationToken cancellationToken);

    /// <summary>The snapping step of every block.</summary>
    ValueTask SnapAsync(double t, CancellationToken cancellationToken);

    /// <summary>Starts the adaptive run of every block.</summary>
    ValueTask<NormTotals> StartAdaptiveAsync(double t, CancellationToken cancellationToken);

    /// <summary>Proposes an adaptive step on every block.</summary>
    ValueTask<NormTotals> ProposeAsync(double t, double h, double stepEnd, CancellationToken cancellationToken);

    /// <summary>Accepts or drops the pending proposal on every block.</summary>
    ValueTask<StepTotals> CommitAsync(bool accept, CancellationToken cancellationToken);
}
