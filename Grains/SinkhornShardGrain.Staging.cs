using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Transport.Grains.Interfaces;
using Transport.Numerics.Transport;

namespace Transport.Grains;

/// <summary>
/// A multiscale share too large for one message: the coordinator serializes the <see cref="SinkhornShardInstall"/>
/// and sends its bytes in chunks (<see cref="DistributedSinkhornBackend"/>), which this shard puts together and
/// installs as if it had come whole.
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
            throw new InvalidOperationException($"install chunk [{offset}, {offset + chunk.LongLength}) of {totalBytes} bytes does not follow the {(buffer.Bytes is null ? 0 : buffer.Received)} bytes received for the {term.Name()} solve");
        }

        chunk.CopyTo(buffer.Bytes, offset);
        staged[term] = (buffer.Bytes, buffer.Received + chunk.LongLength);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task InstallStagedAsync(SinkhornTerm term)
    {
        if (!staged.Remove(term, out var buffer) || buffer.Received != buffer.Bytes.LongLength)
        {
            throw new InvalidOperationException($"the staged install of the {term.Name()} solve is incomplete ({buffer.Received} of {buffer.Bytes?.LongLength ?? 0} bytes)");
        }

        var install = ServiceProvider.GetRequiredService<Serializer>().Deserialize<SinkhornShardInstall>(buffer.Bytes)
            ?? throw new InvalidOperationException($"the staged install of the {term.Name()} solve is empty");
        return InstallAsync(term, install);
    }
}
