using Transport.Grains.Interfaces;
using Transport.Numerics.Kernels;
using Transport.Numerics.Sampling;

namespace Transport.Grains;

/// <summary>
/// The denoiser of data held by data shards: each batch of particles is sent (in chunks of at most one
/// <see cref="FloatBlock"/>) to every data shard in parallel, the shards' <see cref="SoftmaxPartials"/> are combined
/// in data-shard order, and D = u / z is formed exactly as <see cref="EmpiricalTarget"/> forms it. With one data
/// shard the arithmetic is the single-process target's; with several only the order of the combination differs.
/// </summary>
internal sealed class DistributedEmpiricalDenoiser(IReadOnlyList<ISamplingDataShardGrain> shards, int dimension) : IDenoiser
{
    /// <inheritdoc />
    public int Dimension => dimension;

    /// <inheritdoc />
    public async ValueTask DenoiseAsync(double a, double b, ReadOnlyMemory<double> x, Memory<double> denoised, CancellationToken cancellationToken)
    {
        var rows = x.Length / dimension;
        var columns = PackedPartials.Columns(dimension);
        var chunk = Math.Min(FloatBlock.RowsPerChunk(dimension), FloatBlock.RowsPerChunk(columns));
        for (var offset = 0; offset < rows; offset += chunk)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var count = Math.Min(chunk, rows - offset);
            var queries = FloatBlock.From(x.Span.Slice(offset * dimension, count * dimension), count, dimension);
            var replies = await Task.WhenAll(shards.Select(s => s.ReduceAsync(a, b, queries)));
            var total = new SoftmaxPartials(count, dimension);
            foreach (var reply in replies)
            {
                total.Combine(PackedPartials.Unpack(reply, count, dimension));
            }

            EmpiricalDataBlock.WeightedMean(total, denoised.Span.Slice(offset * dimension, count * dimension));
            TransportTelemetry.SamplingBytes.Add(shards.Count * ((long)queries.Bytes.Length + ((long)count * columns * sizeof(double))));
        }

        TransportTelemetry.DenoiserEvaluations.Add(rows, new KeyValuePair<string, object?>("target", "empirical"));
    }
}
