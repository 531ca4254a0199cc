using Transport.Numerics.Sampling;

namespace Transport.Grains;

/// <summary>
/// Runs an in-process velocity field (the replicated coupled-pairs field of a particle shard) on the thread pool, so
/// a large block does not hold the grain scheduler; the arithmetic is the wrapped field's, unchanged.
/// </summary>
internal sealed class ThreadPoolVelocityField(IVelocityField inner) : IVelocityField
{
    /// <inheritdoc />
    public int Dimension => inner.Dimension;

    /// <inheritdoc />
    public InterpolantSchedule Schedule => inner.Schedule;

    /// <inheritdoc />
    public async ValueTask VelocityAsync(double t, ReadOnlyMemory<double> x, Memory<double> velocity, CancellationToken cancellationToken)
    {
        await Task.Run(() => inner.VelocityAsync(t, x, velocity, cancellationToken).AsTask(), cancellationToken);
        TransportTelemetry.DenoiserEvaluations.Add(x.Length / inner.Dimension, new KeyValuePair<string, object?>("target", "pairs"));
    }
}
