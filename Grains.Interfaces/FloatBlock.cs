using System.Runtime.InteropServices;

namespace Transport.Grains.Interfaces;

/// <summary>
/// The only way arrays cross grain boundaries: an immutable packed block of little-endian float64
/// values with its shape (architecture.md section 3, "Wire format"). Orleans copies a byte[] as one
/// buffer instead of encoding element by element, which is about ten times faster than float[].
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("Transport.FloatBlock")]
public sealed record FloatBlock
{
    /// <summary>Largest payload of one block; larger transfers are chunked by the caller.</summary>
    public const int MaxBytes = 8 * 1024 * 1024;

    /// <summary>Creates a block from raw bytes (rows x columns float64 values).</summary>
    public FloatBlock(byte[] bytes, int rows, int columns)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if ((long)rows * columns * sizeof(double) != bytes.Length)
        {
            throw new ArgumentException($"block of {rows} x {columns} needs {(long)rows * columns * sizeof(double)} bytes, got {bytes.Length}");
        }

        Bytes = bytes;
        Rows = rows;
        Columns = columns;
    }

    /// <summary>Packed little-endian float64 values, row-major.</summary>
    [Id(0)]
    public byte[] Bytes { get; }

    /// <summary>Number of rows.</summary>
    [Id(1)]
    public int Rows { get; }

    /// <summary>Number of columns (1 for a vector).</summary>
    [Id(2)]
    public int Columns { get; }

    /// <summary>
    /// Whether the payload holds exactly <see cref="Rows"/> x <see cref="Columns"/> values with neither negative. The
    /// constructor ensures it, but a block read from the wire is not constructed: its fields are set as sent, so a client
    /// with a serializer of its own can declare any shape for any payload. Whatever takes blocks from clients checks this
    /// before it trusts <see cref="Rows"/> (an upload declaring 10 rows with no values counted as 10 rows of zeros).
    /// </summary>
    public bool IsWellFormed => Bytes is not null && Rows >= 0 && Columns >= 0 && (long)Rows * Columns * sizeof(double) == Bytes.Length;

    /// <summary>The values, read in place.</summary>
    public ReadOnlySpan<double> Values => MemoryMarshal.Cast<byte, double>(Bytes);

    /// <summary>An empty block.</summary>
    public static FloatBlock Empty { get; } = new([], 0, 1);

    /// <summary>Packs <paramref name="values"/> as a rows x columns block.</summary>
    public static FloatBlock From(ReadOnlySpan<double> values, int rows, int columns)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("the wire format is little-endian");
        }

        return new FloatBlock(MemoryMarshal.AsBytes(values).ToArray(), rows, columns);
    }

    /// <summary>Packs a vector.</summary>
    public static FloatBlock FromVector(ReadOnlySpan<double> values) => From(values, values.Length, 1);

    /// <summary>Rows that fit in one block of at most <see cref="MaxBytes"/> bytes.</summary>
    public static int RowsPerChunk(int columns) => Math.Max(1, MaxBytes / (sizeof(double) * Math.Max(1, columns)));
}
