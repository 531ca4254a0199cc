using System.Numerics;

namespace Transport.Numerics.Kernels;

/// <summary>Everything one reduction call reads, gathered once so the tile passes take few arguments.</summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
internal readonly struct ReductionInput<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public ReductionInput(QueryPoints<T> queries, KeyPoints<T> keys, T[] logWeights, T[] logWeightResiduals, double scale, T[]? values, int valueDimension, bool withMoment, T[]? base2LogWeights = null, T[]? base2Residuals = null)
    {
        Base2LogWeights = base2LogWeights ?? [];
        Base2Residuals = base2Residuals ?? [];
        Base2NegativeScale = T.CreateTruncating(-scale * LaneExponential.Log2E);
        Distances = new DistanceInput<T>(queries, keys);
        LogWeights = logWeights;
        LogWeightResiduals = logWeightResiduals;
        NegativeScale = T.CreateTruncating(-scale);
        Values = values ?? [];
        ValueDimension = valueDimension;
        WithMoment = withMoment;
    }

    /// <summary>Coordinates and norms for the distance operators.</summary>
    public DistanceInput<T> Distances { get; }

    /// <summary>h_j, minus infinity for padding.</summary>
    public T[] LogWeights { get; }

    /// <summary>
    /// float32: h_j minus its float32 value (the float64 remainder, zero for padding), read by the float32
    /// kernel only; float64: unused.
    /// </summary>
    public T[] LogWeightResiduals { get; }

    /// <summary>
    /// h_j log2 e as value plus residual (same layout as <see cref="LogWeights"/>) for the float32
    /// low-dimension pass, which scores in base 2 (<see cref="LowDimensionPass"/>); empty elsewhere.
    /// </summary>
    public T[] Base2LogWeights { get; }

    /// <summary>The residuals of <see cref="Base2LogWeights"/>.</summary>
    public T[] Base2Residuals { get; }

    /// <summary>-scale log2 e in the kernel's arithmetic (base-2 scores).</summary>
    public T Base2NegativeScale { get; }

    /// <summary>-scale in the kernel's arithmetic.</summary>
    public T NegativeScale { get; }

    /// <summary>Per-key values, coordinate-major (empty without weighted sums).</summary>
    public T[] Values { get; }

    /// <summary>Length of each value vector (0: none).</summary>
    public int ValueDimension { get; }

    /// <summary>Whether the distance moment is accumulated.</summary>
    public bool WithMoment { get; }

    /// <summary>Per-query accumulators besides the sum: the weighted sums, then the moment.</summary>
    public int ExtrasPerQuery => ValueDimension + (WithMoment ? 1 : 0);
}
