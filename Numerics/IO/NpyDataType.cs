namespace Transport.Numerics.IO;

/// <summary>The element types of a NumPy <c>.npy</c> file that <see cref="NpyArray"/> reads and writes.</summary>
public enum NpyDataType
{
    /// <summary>Little-endian IEEE 754 binary32, NumPy descriptor <c>&lt;f4</c>.</summary>
    Float32,

    /// <summary>Little-endian IEEE 754 binary64, NumPy descriptor <c>&lt;f8</c>.</summary>
    Float64,

    /// <summary>
    /// Little-endian signed 64-bit integers, NumPy descriptor <c>&lt;i8</c>: written for index arrays (assignments, plan
    /// entries) so NumPy can index with them; never read (inputs are coordinates and weights).
    /// </summary>
    Int64,
}
