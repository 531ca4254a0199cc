namespace Transport.Numerics.Kernels;

/// <summary>
/// Per-query partial results of the softmax reduction (architecture.md section 2): the running maximum
/// m_i, the rescaled sum z_i = sum_j exp(s_ij - m_i), optionally the weighted sums
/// u_i = sum_j exp(s_ij - m_i) v_j and the distance moment w_i = sum_j exp(s_ij - m_i) |x_i - y_j|^2.
/// Two partials over disjoint key sets combine exactly and associatively with <see cref="Combine"/>;
/// the neutral element is (m = -inf, z = 0, u = 0, w = 0).
/// </summary>
public sealed class SoftmaxPartials
{
    /// <summary>Allocates neutral partials for <paramref name="count"/> queries.</summary>
    public SoftmaxPartials(int count, int valueDimension = 0, bool withMoment = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegative(valueDimension);
        Count = count;
        ValueDimension = valueDimension;
        Max = new double[count];
        Sum = new double[count];
        Weighted = new double[count * valueDimension];
        Moment = withMoment ? new double[count] : [];
        Reset();
    }

    /// <summary>Number of queries.</summary>
    public int Count { get; }

    /// <summary>Length of each value vector (0 when no weighted sum is accumulated).</summary>
    public int ValueDimension { get; }

    /// <summary>Whether the distance moment is accumulated.</summary>
    public bool HasMoment => Moment.Length > 0;

    /// <summary>m_i: maximum score seen (minus infinity when no key contributed).</summary>
    public double[] Max { get; }

    /// <summary>z_i: sum of exp(score - m_i).</summary>
    public double[] Sum { get; }

    /// <summary>u_i (row-major, <see cref="Count"/> x <see cref="ValueDimension"/>).</summary>
    public double[] Weighted { get; }

    /// <summary>w_i: sum of exp(score - m_i) times the squared distance.</summary>
    public double[] Moment { get; }

    /// <summary>Sets every query back to the neutral element.</summary>
    public void Reset()
    {
        Array.Fill(Max, double.NegativeInfinity);
        Array.Clear(Sum);
        Array.Clear(Weighted);
        Array.Clear(Moment);
    }

    /// <summary>log sum_j exp(s_ij) = m_i + log z_i (minus infinity for a neutral partial).</summary>
    public double LogSumExp(int i) => Sum[i] > 0 ? Max[i] + Math.Log(Sum[i]) : double.NegativeInfinity;

    /// <summary>
    /// Merges <paramref name="other"/> (same queries, disjoint keys) into this partial:
    /// M = max(m, m'), Z = z e^(m-M) + z' e^(m'-M), and the same rescaling for u and w.
    /// </summary>
    public void Combine(SoftmaxPartials other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Count != Count || other.ValueDimension != ValueDimension || other.HasMoment != HasMoment)
        {
            throw new ArgumentException("partials have different shapes", nameof(other));
        }

        for (var i = 0; i < Count; i++)
        {
            Merge(i, other.Max[i], other.Sum[i], other.Weighted.AsSpan(i * ValueDimension, ValueDimension), HasMoment ? other.Moment[i] : 0.0);
        }
    }

    /// <summary>Merges one (m', z', u', w') into query <paramref name="i"/>.</summary>
    internal void Merge(int i, double otherMax, double otherSum, ReadOnlySpan<double> otherWeighted, double otherMoment)
    {
        if (otherSum == 0 || double.IsNegativeInfinity(otherMax))
        {
            return;
        }

        var max = Max[i];
        if (Sum[i] == 0 || double.IsNegativeInfinity(max))
        {
            Max[i] = otherMax;
            Sum[i] = otherSum;
            otherWeighted.CopyTo(Weighted.AsSpan(i * ValueDimension, ValueDimension));
            if (HasMoment)
            {
                Moment[i] = otherMoment;
            }

            return;
        }

        var newMax = Math.Max(max, otherMax);
        var selfScale = Math.Exp(max - newMax);
        var otherScale = Math.Exp(otherMax - newMax);
        Max[i] = newMax;
        Sum[i] = (Sum[i] * selfScale) + (otherSum * otherScale);
        var u = Weighted.AsSpan(i * ValueDimension, ValueDimension);
        for (var k = 0; k < u.Length; k++)
        {
            u[k] = (u[k] * selfScale) + (otherWeighted[k] * otherScale);
        }

        if (HasMoment)
        {
            Moment[i] = (Moment[i] * selfScale) + (otherMoment * otherScale);
        }
    }
}
