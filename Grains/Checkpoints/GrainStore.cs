using Orleans.Serialization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace Transport.Grains;

/// <summary>
/// A grain's arrays and blobs in the cluster's default grain storage (Redis in a cluster), in records of at most
/// <see cref="ChunkBytes"/> so that no record or message grows with the shard. An array is its chunks followed by a
/// header (length, chunk count, checksum) written last: a read checks the header against the chunks, so an array
/// whose rewrite was cut short is refused rather than read half old, half new. Values are stored as their bytes, so
/// they come back bit for bit.
/// </summary>
internal sealed class GrainStore
{
    /// <summary>Largest record.</summary>
    public const int ChunkBytes = 2 * 1024 * 1024;

    private readonly IGrainStorage storage;
    private readonly GrainId owner;
    private readonly Serializer serializer;

    // The storage's etags, per record name, once this activation has read or written the record.
    private readonly Dictionary<string, object> records = [];

    /// <summary>The store of grain <paramref name="owner"/> in the default grain storage of <paramref name="services"/>.</summary>
    public GrainStore(IServiceProvider services, GrainId owner)
    {
        storage = services.GetRequiredKeyedService<IGrainStorage>("Default");
        serializer = services.GetRequiredService<Serializer>();
        this.owner = owner;
    }

    /// <summary>
    /// Writes <paramref name="value"/> with Orleans' own serializer as blob <paramref name="name"/>: a record of the wire
    /// types (a job spec, with its model data) comes back exactly as sent, which the storage's JSON serializer does not
    /// promise for types built for the wire.
    /// </summary>
    public Task WriteSerializedAsync<T>(string name, T value) => WriteBytesAsync(name, serializer.SerializeToArray(value));

    /// <summary>Reads a blob written by <see cref="WriteSerializedAsync{T}"/>; null when it was never written.</summary>
    public async Task<T?> ReadSerializedAsync<T>(string name)
        where T : class =>
        await ReadBytesAsync(name) is { } bytes ? serializer.Deserialize<T>(bytes) : null;

    /// <summary>Writes <paramref name="values"/> as array <paramref name="name"/> (chunks first, then the header).</summary>
    public Task WriteAsync(string name, ReadOnlyMemory<double> values) => WriteBytesAsync(name, MemoryMarshal.AsBytes(values.Span).ToArray());

    /// <summary>Reads array <paramref name="name"/>; null when it was never written; throws when its chunks do not match its header.</summary>
    public async Task<double[]?> ReadAsync(string name) =>
        await ReadBytesAsync(name) is { } bytes ? MemoryMarshal.Cast<byte, double>(bytes).ToArray() : null;

    /// <summary>Writes <paramref name="bytes"/> as blob <paramref name="name"/> (chunks first, then the header).</summary>
    public async Task WriteBytesAsync(string name, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var chunks = (bytes.Length + ChunkBytes - 1) / ChunkBytes;
        for (var c = 0; c < chunks; c++)
        {
            var start = c * ChunkBytes;
            await WriteRecordAsync($"{name}#{c}", new StoredChunk { Bytes = bytes[start..Math.Min(bytes.Length, start + ChunkBytes)] });
        }

        await WriteRecordAsync(name, new StoredArray { Length = bytes.Length, Chunks = chunks, Checksum = Checksum(bytes) });
    }

    /// <summary>Reads blob <paramref name="name"/>; null when it was never written; throws when its chunks do not match its header.</summary>
    public async Task<byte[]?> ReadBytesAsync(string name)
    {
        var header = await ReadRecordAsync<StoredArray>(name);
        if (header is null)
        {
            return null;
        }

        var bytes = new byte[header.Length];
        var offset = 0;
        for (var c = 0; c < header.Chunks; c++)
        {
            var chunk = await ReadRecordAsync<StoredChunk>($"{name}#{c}") ?? throw new InvalidDataException($"stored array '{name}' of {owner} misses chunk {c} of {header.Chunks}");
            if (offset + chunk.Bytes.Length > bytes.Length)
            {
                throw new InvalidDataException($"stored array '{name}' of {owner} has more bytes than its header's {bytes.Length}");
            }

            chunk.Bytes.CopyTo(bytes, offset);
            offset += chunk.Bytes.Length;
        }

        if (offset != bytes.Length || Checksum(bytes) != header.Checksum)
        {
            throw new InvalidDataException($"stored array '{name}' of {owner} does not match its header (a write was cut short)");
        }

        return bytes;
    }

    /// <summary>Writes one small object as record <paramref name="name"/>.</summary>
    public Task WriteObjectAsync<T>(string name, T value)
        where T : class => WriteRecordAsync(name, value);

    /// <summary>Reads one small object; null when it was never written.</summary>
    public Task<T?> ReadObjectAsync<T>(string name)
        where T : class => ReadRecordAsync<T>(name);

    /// <summary>Deletes record <paramref name="name"/> if it exists.</summary>
    public async Task ClearObjectAsync<T>(string name)
        where T : class
    {
        var state = await StateAsync<T>(name, reread: true);
        if (state.RecordExists)
        {
            await storage.ClearStateAsync(name, owner, state);
        }
    }

    /// <summary>Deletes array <paramref name="name"/> (its chunks and header) if it exists.</summary>
    public async Task ClearAsync(string name)
    {
        var header = await ReadRecordAsync<StoredArray>(name);
        if (header is null)
        {
            return;
        }

        for (var c = 0; c < header.Chunks; c++)
        {
            await ClearObjectAsync<StoredChunk>($"{name}#{c}");
        }

        await ClearObjectAsync<StoredArray>(name);
    }

    /// <summary>A 64-bit FNV-1a hash of the bytes: equal arrays hash equal, a torn rewrite almost surely does not.</summary>
    private static ulong Checksum(ReadOnlySpan<byte> bytes)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in bytes)
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return hash;
    }

    private async Task WriteRecordAsync<T>(string name, T value)
        where T : class
    {
        var state = await StateAsync<T>(name);
        state.State = value;
        await storage.WriteStateAsync(name, owner, state);
    }

    private async Task<T?> ReadRecordAsync<T>(string name)
        where T : class
    {
        var state = await StateAsync<T>(name, reread: true);
        return state.RecordExists ? state.State : null;
    }

    // The storage checks etags: a record is read once per activation before it is first written.
    private async Task<GrainState<T>> StateAsync<T>(string name, bool reread = false)
        where T : class
    {
        if (records.TryGetValue(name, out var known) && known is GrainState<T> cached && !reread)
        {
            return cached;
        }

        var state = known as GrainState<T> ?? new GrainState<T>();
        await storage.ReadStateAsync(name, owner, state);
        records[name] = state;
        return state;
    }
}

/// <summary>The header of a stored array.</summary>
[GenerateSerializer]
[Alias("Transport.StoredArray")]
public sealed class StoredArray
{
    /// <summary>Number of bytes.</summary>
    [Id(0)]
    public long Length { get; set; }

    /// <summary>Number of chunk records.</summary>
    [Id(1)]
    public int Chunks { get; set; }

    /// <summary>FNV-1a hash of the bytes.</summary>
    [Id(2)]
    public ulong Checksum { get; set; }
}

/// <summary>One chunk of a stored array: its values' bytes.</summary>
[GenerateSerializer]
[Alias("Transport.StoredChunk")]
public sealed class StoredChunk
{
    /// <summary>The bytes.</summary>
    [Id(0)]
    public byte[] Bytes { get; set; } = [];
}
