using System.Buffers.Binary;
using System.Text;

namespace Transport.Bench.Chaos;

/// <summary>A little-endian float64 <c>.npy</c> of any rank: its header text (type and shape) and its values.</summary>
internal sealed record Float64Array(string Header, double[] Data)
{
    public static Float64Array Read(string path)
    {
        var bytes = File.ReadAllBytes(path);

        // Version 1 stores the header length in 2 bytes, versions 2 and 3 in 4 (the NumPy format specification).
        var major = bytes[6];
        var (lengthBytes, length) = major == 1 ? (2, (int)BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8))) : (4, (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)));
        var start = 8 + lengthBytes;
        var header = Encoding.UTF8.GetString(bytes, start, length).Trim();
        if (!header.Contains("'<f8'", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{path}: not a little-endian float64 array ({header})");
        }

        var data = new double[(bytes.Length - start - length) / sizeof(double)];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan(start + length + (i * sizeof(double))));
        }

        return new Float64Array(header, data);
    }
}
