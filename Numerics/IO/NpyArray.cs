using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Transport.Numerics.IO;

/// <summary>
/// A 1-D or 2-D numeric array read from or written to a NumPy <c>.npy</c> file. Values are held in
/// float64, row-major (C order); <see cref="SourceType"/> records whether the file stored float32 or
/// float64. NaN and infinities are kept as they are: finiteness is checked later, for example by
/// <see cref="Geometry.PointCloud.Create"/>.
/// </summary>
/// <remarks>
/// Reading accepts format versions 1.0, 2.0 and 3.0 (3.0 encodes the header in UTF-8), descriptors
/// <c>&lt;f4</c> and <c>&lt;f8</c>, <c>fortran_order: False</c> and shapes of rank 1 or 2. Writing
/// produces version 1.0 with the header padded by spaces and terminated by <c>'\n'</c> so that the
/// data starts at a multiple of 64 bytes, as NumPy itself writes. Every failure is an
/// <see cref="InvalidInputException"/> whose <see cref="InvalidInputException.Field"/> is the field
/// name given by the caller; no I/O or format exception escapes.
/// </remarks>
/// <param name="Data">The values in row-major order; its length is the product of <paramref name="Shape"/>.</param>
/// <param name="Shape">The dimensions: one entry for a vector, two (rows, columns) for a matrix.</param>
/// <param name="SourceType">The element type stored in the file (or the type to write by default).</param>
public sealed record NpyArray(double[] Data, int[] Shape, NpyDataType SourceType)
{
    /// <summary>The six bytes every <c>.npy</c> file starts with.</summary>
    internal static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Number of dimensions (1 or 2 for arrays read by this class).</summary>
    public int Rank => Shape.Length;

    /// <summary>
    /// Reads <paramref name="path"/>. A missing file is reported as <c>file not found: PATH</c>; all
    /// other problems as described on <see cref="Read(Stream, string)"/>.
    /// </summary>
    /// <param name="path">The file to read.</param>
    /// <param name="field">The user-facing name of the input (for example <c>source</c>), used in errors.</param>
    public static NpyArray Read(string path, string field)
    {
        ArgumentNullException.ThrowIfNull(field);
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new InvalidInputException(field, "the file path is empty");
        }

        if (!File.Exists(path))
        {
            throw new InvalidInputException(field, $"file not found: {path}");
        }

        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
            return Read(stream, field);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            throw new InvalidInputException(field, $"cannot read {path}: {ex.Message}");
        }
    }

    /// <summary>
    /// Reads a <c>.npy</c> image from <paramref name="stream"/>, which is left open and positioned after
    /// the data. Throws <see cref="InvalidInputException"/> for <paramref name="field"/> on a bad magic
    /// string, an unknown format version, a truncated header, a malformed header dictionary, an
    /// unsupported descriptor (such as <c>&lt;i8</c> or <c>&gt;f8</c>), <c>fortran_order: True</c>, a 0-D
    /// or higher than 2-D shape, and truncated data (naming the expected and the actual byte counts).
    /// Bytes after the data are ignored, as NumPy does.
    /// </summary>
    /// <param name="stream">A readable stream positioned at the start of the image.</param>
    /// <param name="field">The user-facing name of the input, used in errors.</param>
    public static NpyArray Read(Stream stream, string field)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(field);
        try
        {
            return ReadCore(stream, field);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ObjectDisposedException)
        {
            throw new InvalidInputException(field, $"cannot read the .npy data: {ex.Message}");
        }
    }

    /// <summary>
    /// Writes <paramref name="data"/> as a float64 (<c>&lt;f8</c>) <c>.npy</c> file of the given
    /// shape (one or two dimensions whose product is the data length). Errors are reported for the
    /// field <c>output</c>; see <see cref="Write(string, ReadOnlySpan{double}, ReadOnlySpan{int}, NpyDataType, string)"/>.
    /// </summary>
    /// <param name="path">Destination file; replaced if it exists.</param>
    /// <param name="data">Values in row-major order.</param>
    /// <param name="shape">One or two dimensions.</param>
    public static void WriteFloat64(string path, ReadOnlySpan<double> data, params int[] shape) =>
        Write(path, data, shape, NpyDataType.Float64, "output");

    /// <summary>
    /// Writes <paramref name="data"/> as a float32 (<c>&lt;f4</c>) <c>.npy</c> file, rounding each value
    /// to the nearest float32 (values beyond the float32 range become infinities). Errors are reported
    /// for the field <c>output</c>.
    /// </summary>
    /// <param name="path">Destination file; replaced if it exists.</param>
    /// <param name="data">Values in row-major order.</param>
    /// <param name="shape">One or two dimensions.</param>
    public static void WriteFloat32(string path, ReadOnlySpan<double> data, params int[] shape) =>
        Write(path, data, shape, NpyDataType.Float32, "output");

    /// <summary>
    /// Writes indices as an int64 (<c>&lt;i8</c>) <c>.npy</c> file (NumPy indexes with them directly). Errors are
    /// reported for the field <c>output</c>.
    /// </summary>
    /// <param name="path">Destination file; replaced if it exists.</param>
    /// <param name="indices">Values in row-major order.</param>
    /// <param name="shape">One to three dimensions.</param>
    public static void WriteInt64(string path, ReadOnlySpan<int> indices, params int[] shape)
    {
        var values = new double[indices.Length];
        for (var i = 0; i < indices.Length; i++)
        {
            values[i] = indices[i];
        }

        Write(path, values, shape, NpyDataType.Int64, "output");
    }

    /// <summary>
    /// Writes a version 1.0 <c>.npy</c> file atomically: the bytes go to a temporary file in the same
    /// directory which then replaces <paramref name="path"/>, so a failure leaves no partial file.
    /// Throws <see cref="InvalidInputException"/> for <paramref name="field"/> when the shape is not of
    /// rank 1, 2 or 3, has a negative dimension, does not match the data length, or the file cannot be
    /// written.
    /// </summary>
    /// <param name="path">Destination file; replaced if it exists.</param>
    /// <param name="data">Values in row-major order.</param>
    /// <param name="shape">One or two dimensions.</param>
    /// <param name="type">Element type to store.</param>
    /// <param name="field">The user-facing name of the output, used in errors.</param>
    public static void Write(string path, ReadOnlySpan<double> data, ReadOnlySpan<int> shape, NpyDataType type, string field)
    {
        ArgumentNullException.ThrowIfNull(field);
        var image = NpyEncoder.Encode(data, shape, type, field);
        AtomicFileWriter.Write(path, field, stream => stream.Write(image));
    }

    /// <summary>
    /// Writes a version 1.0 <c>.npy</c> image to <paramref name="stream"/> (left open). Shape errors are
    /// reported as on <see cref="Write(string, ReadOnlySpan{double}, ReadOnlySpan{int}, NpyDataType, string)"/>;
    /// I/O errors of the stream propagate unchanged because the caller owns the stream.
    /// </summary>
    /// <param name="stream">A writable stream.</param>
    /// <param name="data">Values in row-major order.</param>
    /// <param name="shape">One or two dimensions.</param>
    /// <param name="type">Element type to store.</param>
    /// <param name="field">The user-facing name of the output, used in errors.</param>
    public static void Write(Stream stream, ReadOnlySpan<double> data, ReadOnlySpan<int> shape, NpyDataType type, string field)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(field);
        stream.Write(NpyEncoder.Encode(data, shape, type, field));
    }

    /// <summary>Writes this array to <paramref name="path"/> in <see cref="SourceType"/>, atomically.</summary>
    /// <param name="path">Destination file; replaced if it exists.</param>
    /// <param name="field">The user-facing name of the output, used in errors.</param>
    public void Write(string path, string field = "output") => Write(path, Data, Shape, SourceType, field);

    /// <summary>
    /// Views the array as a row-major matrix: a 2-D array keeps its shape and a 1-D array of length n
    /// is an n x 1 column (n points in dimension one). The data array is shared, not copied.
    /// </summary>
    /// <param name="field">The user-facing name of the input, used in errors.</param>
    public (double[] Data, int Rows, int Columns) AsMatrix(string field)
    {
        ArgumentNullException.ThrowIfNull(field);
        return Shape.Length switch
        {
            1 => (Data, Shape[0], 1),
            2 => (Data, Shape[0], Shape[1]),
            _ => throw new InvalidInputException(field, $"expected a 1-D or 2-D array, got shape {NpyEncoder.DescribeShape(Shape)}"),
        };
    }

    /// <summary>
    /// Views the array as a vector: accepted shapes are (n,) and (n, 1). Any other shape is an
    /// <see cref="InvalidInputException"/> for <paramref name="field"/> naming the shape. The data
    /// array is shared, not copied.
    /// </summary>
    /// <param name="field">The user-facing name of the input, used in errors.</param>
    public double[] AsVector(string field)
    {
        ArgumentNullException.ThrowIfNull(field);
        if (Shape.Length == 1 || (Shape.Length == 2 && Shape[1] == 1))
        {
            return Data;
        }

        throw new InvalidInputException(field, $"expected a vector of shape (n,) or (n, 1), got shape {NpyEncoder.DescribeShape(Shape)}");
    }

    /// <summary>The NumPy descriptor of <paramref name="type"/>: <c>&lt;f4</c> or <c>&lt;f8</c>.</summary>
    /// <param name="type">The element type.</param>
    public static string Descriptor(NpyDataType type) => type switch
    {
        NpyDataType.Float32 => "<f4",
        NpyDataType.Float64 => "<f8",
        NpyDataType.Int64 => "<i8",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown element type"),
    };

    private static NpyArray ReadCore(Stream stream, string field)
    {
        Span<byte> preamble = stackalloc byte[8];
        var got = stream.ReadAtLeast(preamble, preamble.Length, throwOnEndOfStream: false);
        if (got < 6 || !preamble[..6].SequenceEqual(Magic))
        {
            var seen = Convert.ToHexString(preamble[..got]);
            throw new InvalidInputException(field, $"not a .npy file: bad magic string (expected 934E554D5059, found {(seen.Length == 0 ? "an empty file" : seen)})");
        }

        if (got < 8)
        {
            throw new InvalidInputException(field, $"truncated header: the file ends after {got} bytes, inside the format version");
        }

        int major = preamble[6];
        int minor = preamble[7];
        if (major is < 1 or > 3 || minor != 0)
        {
            throw new InvalidInputException(field, $"unsupported .npy format version {major}.{minor} (supported: 1.0, 2.0, 3.0)");
        }

        var lengthSize = major == 1 ? 2 : 4;
        Span<byte> lengthBytes = stackalloc byte[4];
        got = stream.ReadAtLeast(lengthBytes[..lengthSize], lengthSize, throwOnEndOfStream: false);
        if (got < lengthSize)
        {
            throw new InvalidInputException(field, $"truncated header: expected a {lengthSize}-byte header length, got {got} bytes");
        }

        var headerLength = major == 1
            ? BinaryPrimitives.ReadUInt16LittleEndian(lengthBytes)
            : BinaryPrimitives.ReadUInt32LittleEndian(lengthBytes);

        // NumPy refuses headers above 10000 bytes unless told otherwise; 1 MiB is generous and keeps a
        // corrupt length from allocating gigabytes.
        if (headerLength > 1 << 20)
        {
            throw new InvalidInputException(field, $"malformed .npy header: header length {headerLength} bytes is implausibly large");
        }

        var headerBytes = new byte[headerLength];
        got = stream.ReadAtLeast(headerBytes, headerBytes.Length, throwOnEndOfStream: false);
        if (got < headerBytes.Length)
        {
            throw new InvalidInputException(field, $"truncated header: expected {headerLength} header bytes, got {got}");
        }

        string text;
        try
        {
            text = major == 3
                ? new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(headerBytes)
                : Encoding.Latin1.GetString(headerBytes);
        }
        catch (DecoderFallbackException ex)
        {
            throw new InvalidInputException(field, $"malformed .npy header: invalid UTF-8 ({ex.Message})");
        }

        var header = NpyHeader.Parse(text, field);
        var type = header.Descriptor switch
        {
            "<f8" => NpyDataType.Float64,
            "<f4" => NpyDataType.Float32,
            _ => throw new InvalidInputException(field, $"unsupported dtype '{header.Descriptor}' (supported: '<f4', '<f8', little-endian float32 and float64)"),
        };

        if (header.FortranOrder)
        {
            throw new InvalidInputException(field, "fortran_order True is not supported; save the array in C order (numpy.ascontiguousarray)");
        }

        var shapeText = DescribeLongShape(header.Shape);
        if (header.Shape.Length == 0)
        {
            throw new InvalidInputException(field, $"0-D array (shape {shapeText}) is not supported; expected a 1-D or 2-D array");
        }

        if (header.Shape.Length > 2)
        {
            throw new InvalidInputException(field, $"{header.Shape.Length}-D array (shape {shapeText}) is not supported; expected a 1-D or 2-D array");
        }

        long count = 1;
        foreach (var dimension in header.Shape)
        {
            if (dimension > Array.MaxLength || (count *= dimension) > Array.MaxLength)
            {
                throw new InvalidInputException(field, $"shape {shapeText} holds more values than an array can");
            }
        }

        var itemSize = type == NpyDataType.Float32 ? 4 : 8;
        var expectedBytes = count * itemSize;

        // A header is only a claim: a few bytes declaring 10^8 rows must not allocate gigabytes before the data is
        // found missing, so a stream that knows its length is checked first.
        if (stream.CanSeek && stream.Length - stream.Position < expectedBytes)
        {
            throw new InvalidInputException(field, $"truncated data: expected {expectedBytes} bytes for shape {shapeText} of {header.Descriptor}, got {Math.Max(0, stream.Length - stream.Position)}");
        }

        var data = new double[count];
        var shape = Array.ConvertAll(header.Shape, d => (int)d);
        var buffer = new byte[(int)Math.Min(expectedBytes, 1 << 16)];
        long readBytes = 0;
        var index = 0;
        while (readBytes < expectedBytes)
        {
            var want = (int)Math.Min(buffer.Length, expectedBytes - readBytes);
            var chunk = stream.ReadAtLeast(buffer.AsSpan(0, want), want, throwOnEndOfStream: false);
            readBytes += chunk;
            if (chunk < want)
            {
                throw new InvalidInputException(field, $"truncated data: expected {expectedBytes} bytes for shape {shapeText} of {header.Descriptor}, got {readBytes}");
            }

            if (type == NpyDataType.Float64)
            {
                for (var offset = 0; offset < chunk; offset += 8)
                {
                    data[index++] = BinaryPrimitives.ReadDoubleLittleEndian(buffer.AsSpan(offset, 8));
                }
            }
            else
            {
                for (var offset = 0; offset < chunk; offset += 4)
                {
                    data[index++] = BinaryPrimitives.ReadSingleLittleEndian(buffer.AsSpan(offset, 4));
                }
            }
        }

        return new NpyArray(data, shape, type);
    }

    private static string DescribeLongShape(long[] shape)
    {
        var parts = Array.ConvertAll(shape, d => d.ToString(CultureInfo.InvariantCulture));
        return shape.Length == 1 ? $"({parts[0]},)" : $"({string.Join(", ", parts)})";
    }
}
