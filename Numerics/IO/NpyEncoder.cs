using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Transport.Numerics.IO;

/// <summary>
/// The bytes of a <c>.npy</c> file (format version 1.0) for an array of rank 1 to 3: header padded so that the data
/// starts at a multiple of 64 bytes, as NumPy itself writes, then the values little-endian. The writing half of
/// <see cref="NpyArray"/>.
/// </summary>
internal static class NpyEncoder
{
    private const int HeaderAlignment = 64;

    internal static string DescribeShape(ReadOnlySpan<int> shape)
    {
        var parts = new string[shape.Length];
        for (var k = 0; k < shape.Length; k++)
        {
            parts[k] = shape[k].ToString(CultureInfo.InvariantCulture);
        }

        return shape.Length == 1 ? $"({parts[0]},)" : $"({string.Join(", ", parts)})";
    }

    public static byte[] Encode(ReadOnlySpan<double> data, ReadOnlySpan<int> shape, NpyDataType type, string field)
    {
        // Writing also takes 3-D arrays (trajectories: snapshots x particles x dim); reading stays 1-D/2-D.
        if (shape.Length is < 1 or > 3)
        {
            throw new InvalidInputException(field, $"shape {DescribeShape(shape)} has {shape.Length} dimensions; only 1-D, 2-D and 3-D arrays can be written");
        }

        long count = 1;
        foreach (var dimension in shape)
        {
            if (dimension < 0)
            {
                throw new InvalidInputException(field, $"shape {DescribeShape(shape)} has a negative dimension");
            }

            count *= dimension;
        }

        if (count != data.Length)
        {
            throw new InvalidInputException(field, $"shape {DescribeShape(shape)} holds {count} values but {data.Length} were given");
        }

        var descriptor = NpyArray.Descriptor(type);
        var itemSize = type == NpyDataType.Float32 ? 4 : 8;

        // Version 1.0 layout: magic (6) + version (2) + little-endian uint16 header length (2) + header.
        // The header is padded with spaces and ends in '\n' so the data starts on a 64-byte boundary.
        var text = NpyHeader.Format(descriptor, shape);
        var unpadded = 10 + text.Length + 1;
        var padding = (HeaderAlignment - (unpadded % HeaderAlignment)) % HeaderAlignment;
        var headerLength = text.Length + padding + 1;
        var dataBytes = checked((int)(count * itemSize));
        var image = new byte[10 + headerLength + dataBytes];
        NpyArray.Magic.CopyTo(image, 0);
        image[6] = 1;
        image[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan(8, 2), checked((ushort)headerLength));
        Encoding.ASCII.GetBytes(text, image.AsSpan(10));
        image.AsSpan(10 + text.Length, padding).Fill((byte)' ');
        image[10 + headerLength - 1] = (byte)'\n';

        var body = image.AsSpan(10 + headerLength);
        if (type == NpyDataType.Float64)
        {
            for (var i = 0; i < data.Length; i++)
            {
                BinaryPrimitives.WriteDoubleLittleEndian(body.Slice(i * 8, 8), data[i]);
            }
        }
        else if (type == NpyDataType.Int64)
        {
            for (var i = 0; i < data.Length; i++)
            {
                // Integers up to 2^53 are exact in float64; anything else is a caller's bug, not an input error.
                var value = data[i];
                if (value != Math.Round(value) || Math.Abs(value) > 9007199254740992.0)
                {
                    throw new ArgumentOutOfRangeException(nameof(data), value, $"{field}: an int64 array holds integers only");
                }

                BinaryPrimitives.WriteInt64LittleEndian(body.Slice(i * 8, 8), (long)value);
            }
        }
        else
        {
            for (var i = 0; i < data.Length; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(body.Slice(i * 4, 4), (float)data[i]);
            }
        }

        return image;
    }
}
