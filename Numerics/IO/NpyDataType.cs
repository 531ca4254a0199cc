namespace Transport.Numerics.IO;

/// <summary>The element types of a NumPy <c>.npy</c> file that <see cref="NpyArray"/> reads and writes.</summary>
public enum NpyDataType
{
    /// <summary>Little-endian IEEE 754 binary32, NumPy descriptor <c>&lt;f4</c>.</summary>
    Float32,

    /// <summary>Little-endian IEEE 754 binary64, NumPy descriptor <c>&lt;f8</c>.</summary>
    Float64,
}
