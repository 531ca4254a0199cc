namespace Transport.Numerics.Sampling;

/// <summary>
/// An asynchronous denoiser oracle D(a, b, x) = E[x1 | a x0 + b x1 = x] with standard Gaussian noise x0: the one
/// data-dependent quantity of the interpolant fields (math.md 2.2). Local targets answer synchronously; a shard
/// answers by combining the softmax partials of data shards on other machines, which is why this is asynchronous.
/// </summary>
public interface IDenoiser
{
    /// <summary>The dimension d of the data.</summary>
    int Dimension { get; }

    /// <summary>
    /// Writes D for every particle of the row-major n x d batch <paramref name="x"/> into <paramref name="denoised"/>
    /// (same shape), for the coefficients a &gt; 0 and b &gt;= 0.
    /// </summary>
    ValueTask DenoiseAsync(double a, double b, ReadOnlyMemory<double> x, Memory<double> denoised, CancellationToken cancellationToken);
}

/// <summary>An <see cref="IDenoiser"/> over an in-process <see cref="IDenoisingTarget"/> (completes synchronously).</summary>
public sealed class TargetDenoiser : IDenoiser
{
    /// <summary>Wraps <paramref name="target"/>.</summary>
    public TargetDenoiser(IDenoisingTarget target)
    {
        Target = target ?? throw new InvalidInputException("target", "is missing");
    }

    /// <summary>The wrapped target.</summary>
    public IDenoisingTarget Target { get; }

    /// <inheritdoc />
    public int Dimension => Target.Dimension;

    /// <inheritdoc />
    public ValueTask DenoiseAsync(double a, double b, ReadOnlyMemory<double> x, Memory<double> denoised, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Target.Denoise(a, b, x.Span, denoised.Span);
        return ValueTask.CompletedTask;
    }
}
