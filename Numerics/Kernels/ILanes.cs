using System.Numerics;

namespace Transport.Numerics.Kernels;

/// <summary>
/// The vector operations the fused kernel needs, for one vector type (Vector128/256/512 of
/// <typeparamref name="T"/>), so that the kernel is written once and instantiated per width: the JIT
/// specialises every call for the struct that implements this interface and inlines it.
/// </summary>
/// <typeparam name="TVector">The vector type.</typeparam>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
internal interface ILanes<TVector, T>
    where TVector : unmanaged
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Lanes per vector.</summary>
    static abstract int Count { get; }

    /// <summary>All lanes zero.</summary>
    static abstract TVector Zero { get; }

    /// <summary>Loads <see cref="Count"/> elements starting at <paramref name="source"/> + <paramref name="offset"/>.</summary>
    static abstract TVector Load(ref T source, nuint offset);

    /// <summary>Every lane set to <paramref name="value"/>.</summary>
    static abstract TVector Broadcast(T value);

    /// <summary>a + b.</summary>
    static abstract TVector Add(TVector a, TVector b);

    /// <summary>a - b.</summary>
    static abstract TVector Subtract(TVector a, TVector b);

    /// <summary>a * b.</summary>
    static abstract TVector Multiply(TVector a, TVector b);

    /// <summary>a * b + c with one rounding.</summary>
    static abstract TVector MultiplyAdd(TVector a, TVector b, TVector c);

    /// <summary>Lane-wise maximum as the hardware computes it (no NaN or signed-zero fix-ups: scores are never NaN).</summary>
    static abstract TVector Max(TVector a, TVector b);

    /// <summary>The bits of each lane shifted left by the mantissa width (23 or 52): builds 2^n from n + bias in the low bits.</summary>
    static abstract TVector ShiftIntoExponent(TVector bits);

    /// <summary>The largest lane.</summary>
    static abstract T MaxAcross(TVector v);

    /// <summary>Sum of the lanes in float64, in lane order (a fixed order keeps results reproducible).</summary>
    static abstract double SumAcross(TVector v);
}
