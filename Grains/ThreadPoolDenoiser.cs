using Transport.Numerics.Sampling;

namespace Transport.Grains;

/// <summary>
/// Runs an in-process denoiser (the replicated inline target of a particle shard) on the thread pool, so a large
/// block does not hold the grain scheduler; the arithmetic is the wrapped denoiser's, unchanged.
/// </summary>
internal sealed class ThreadPoolDenoiser(IDenoiser inner, string target) : IDenoiser
{
    /// <inheritdoc />
    public int Dimension => inner.Dimension;

    /// <inheritdoc />
    public async ValueTask DenoiseAsync(double a, double b, ReadOnlyMemory<double> x, Memory<double> denoised, CancellationToken cancellationToken)
    {
        await Task.Run(() => inner.DenoiseAsync(a, b, x, denoised, cancellationToken).AsTask(), cancellationToken);
        TransportTelemetry.DenoiserEvaluations.Add(x.Length / inner.Dimension, new KeyValuePair<string, object?>("target", target));
    }
}
