using Transport.Numerics.Transport;

namespace Transport.Grains;

/// <summary>
/// A request too large for one message (the cluster levels, an extrapolation plan or a pattern of a multiscale solve
/// whose points stay on the shards): the coordinator serializes it and sends its bytes in chunks, which this shard puts
/// together; the call that follows with a null message takes it (<c>TakeStaged</c>).
/// </summary>
public sealed partial class SinkhornShardGrain
{
    private readonly Dictionary<SinkhornTerm, (byte[] Bytes, long Received)> staged = [];

    /// <inheritdoc />
    public Task StageInstallAsync(SinkhornTerm term, long totalBytes, long offset, byte[] chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        if (offset == 0)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(totalBytes);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(totalBytes, Array.MaxLength);
            staged[term] = (new byte[totalBytes], 0);
        }

        if (!staged.TryGetValue(term, out var buffer) || buffer.Bytes.LongLength != totalBytes || offset != buffer.Received || offset + chunk.LongLength > totalBytes)
        {
            throw new InvalidOperationException($"request chunk [{offset}, {offset + chunk.LongLength}) of {totalBytes} bytes does not follow the {(buffer.Bytes is null ? 0 : buffer.Received)} bytes received for the {term.Name()} solve");
        }

        chunk.CopyTo(buffer.Bytes, offset);
        staged[term] = (buffer.Bytes, buffer.Received + chunk.LongLength);
        return Task.CompletedTask;
    }
}
