using System.Numerics;

namespace Transport.Numerics.Kernels;

/// <summary>
/// How the fused kernel forms |x_i - y_j|^2 for a group of four queries against key vectors: by
/// coordinate differences (<see cref="DifferenceDistance"/>, low dimension) or by dot products
/// (<see cref="DotProductDistance"/>, high dimension).
/// </summary>
internal interface ISquaredDistance
{
    /// <summary>
    /// Whether the kernel should call <see cref="Two"/> (register blocking pays: dot products) rather
    /// than <see cref="One"/> per key vector (differences, whose scores then never leave registers).
    /// </summary>
    static abstract bool Blocked { get; }

    /// <summary>
    /// Squared distances from queries <paramref name="query"/> .. +3 to the keys at
    /// <paramref name="key"/> .. + 2 x width - 1 (two vectors: <paramref name="a0"/>..<paramref name="a3"/>
    /// for the first, <paramref name="b0"/>..<paramref name="b3"/> for the second).
    /// </summary>
    static abstract void Two<TLanes, TVector, T>(
        in DistanceInput<T> input,
        int query,
        int key,
        out TVector a0,
        out TVector a1,
        out TVector a2,
        out TVector a3,
        out TVector b0,
        out TVector b1,
        out TVector b2,
        out TVector b3)
        where TLanes : ILanes<TVector, T>
        where TVector : unmanaged
        where T : unmanaged, IBinaryFloatingPointIeee754<T>;

    /// <summary>Squared distances from queries <paramref name="query"/> .. +3 to one key vector at <paramref name="key"/>.</summary>
    static abstract void One<TLanes, TVector, T>(
        in DistanceInput<T> input,
        int query,
        int key,
        out TVector a0,
        out TVector a1,
        out TVector a2,
        out TVector a3)
        where TLanes : ILanes<TVector, T>
        where TVector : unmanaged
        where T : unmanaged, IBinaryFloatingPointIeee754<T>;
}

/// <summary>The arrays a distance operator reads: queries row-major, keys coordinate-major.</summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
internal readonly struct DistanceInput<T>(QueryPoints<T> queries, KeyPoints<T> keys)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Query coordinates, row-major (query i at i x d).</summary>
    public T[] Queries { get; } = queries.Coordinates;

    /// <summary>|x_i|^2 in float64.</summary>
    public double[] QueryNorms { get; } = queries.SquaredNorms;

    /// <summary>Key coordinates, coordinate-major (coordinate k of key j at k x padded + j).</summary>
    public T[] Keys { get; } = keys.Coordinates;

    /// <summary>|y_j|^2.</summary>
    public T[] KeyNorms { get; } = keys.SquaredNorms;

    /// <summary>The dimension d.</summary>
    public int Dimension { get; } = keys.Dimension;

    /// <summary>Stride between key coordinates.</summary>
    public int Padded { get; } = keys.PaddedCount;
}
