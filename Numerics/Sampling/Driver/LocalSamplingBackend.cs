namespace Transport.Numerics.Sampling;

/// <summary>
/// The single-process backend: blocks of particles in this process, run one after the other (each block's denoiser
/// is itself parallel). With one block it is the reference every distributed run is compared with; with several it
/// reproduces a sharded run's arithmetic in process.
/// </summary>
public sealed class LocalSamplingBackend : ISamplingBackend
{
    private readonly ParticleBlockSampler[] _blocks;

    /// <summary>Splits <paramref name="positions"/> (row-major n x d) into <paramref name="blockCount"/> contiguous blocks.</summary>
    public LocalSamplingBackend(IVelocityField field, SamplingOptions options, ReadOnlySpan<double> positions, int blockCount = 1)
    {
        ArgumentNullException.ThrowIfNull(field);
        var d = field.Dimension;
        if (positions.Length == 0 || positions.Length % d != 0)
        {
            throw new InvalidInputException("particles", $"length {positions.Length} is not a positive multiple of d = {d}");
        }

        var count = positions.Length / d;
        if (blockCount < 1 || blockCount > count)
        {
            throw new InvalidInputException("blocks", $"block count {blockCount} must lie in [1, {count}]");
        }

        _blocks = new ParticleBlockSampler[blockCount];
        for (var s = 0; s < blockCount; s++)
        {
            var first = (int)((long)count * s / blockCount);
            var end = (int)((long)count * (s + 1) / blockCount);
            _blocks[s] = new ParticleBlockSampler(field, options, positions[(first * d)..(end * d)], first);
        }

        Dimension = d;
    }

    /// <summary>The dimension.</summary>
    public int Dimension { get; }

    /// <summary>The blocks, in particle order.</summary>
    public IReadOnlyList<ParticleBlockSampler> Blocks => _blocks;

    /// <summary>All particles, row-major, in the order of the source points.</summary>
    public double[] Positions()
    {
        var all = new double[_blocks.Sum(b => b.Positions.Length)];
        var offset = 0;
        foreach (var block in _blocks)
        {
            block.Positions.Span.CopyTo(all.AsSpan(offset));
            offset += block.Positions.Length;
        }

        return all;
    }

    /// <inheritdoc />
    public async ValueTask<StepTotals> StepAsync(int index, double t, double nextTime, CancellationToken cancellationToken)
    {
        var total = StepTotals.Zero;
        foreach (var block in _blocks)
        {
            total = total.Add(await block.StepAsync(index, t, nextTime, cancellationToken).ConfigureAwait(false));
        }

        return total;
    }

    /// <inheritdoc />
    public async ValueTask CorrectAsync(int index, double t, CancellationToken cancellationToken)
    {
        foreach (var block in _blocks)
        {
            await block.CorrectAsync(index, t, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask SnapAsync(double t, CancellationToken cancellationToken)
    {
        foreach (var block in _blocks)
        {
            await block.SnapAsync(t, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask<NormTotals> StartAdaptiveAsync(double t, CancellationToken cancellationToken)
    {
        var total = default(NormTotals);
        foreach (var block in _blocks)
        {
            total = total.Add(await block.StartAdaptiveAsync(t, cancellationToken).ConfigureAwait(false));
        }

        return total;
    }

    /// <inheritdoc />
    public async ValueTask<NormTotals> ProposeAsync(double t, double h, double stepEnd, CancellationToken cancellationToken)
    {
        var total = default(NormTotals);
        foreach (var block in _blocks)
        {
            total = total.Add(await block.ProposeAsync(t, h, stepEnd, cancellationToken).ConfigureAwait(false));
        }

        return total;
    }

    /// <inheritdoc />
    public ValueTask<StepTotals> CommitAsync(bool accept, CancellationToken cancellationToken)
    {
        var total = StepTotals.Zero;
        foreach (var block in _blocks)
        {
            total = total.Add(block.Commit(accept));
        }

        return ValueTask.FromResult(total);
    }
}
