using System.Numerics;
using Transport.Numerics.Geometry;
using Transport.Numerics.Kernels;

namespace Transport.Numerics.Transport;

/// <summary>
/// The soft c-transform of a block of query points against a full key cloud (math.md 3.3):
/// T(g)_i = -eps * LSE_j [ log b_j + (g_j - C(x_i, y_j)) / eps ], built on <see cref="SoftmaxReduction"/>.
/// The same object also answers the plan questions that need one pass over the keys: softmax means of
/// the key positions (barycentric map) and the cost moment. Not thread-safe: one call at a time.
/// </summary>
public abstract class SoftCTransform
{
    /// <summary>Creates the transform in the requested arithmetic.</summary>
    /// <param name="queries">Row-major query coordinates (a block of one cloud).</param>
    /// <param name="queryCount">Number of queries.</param>
    /// <param name="keys">The key cloud (its weights are b_j).</param>
    /// <param name="cost">Ground cost.</param>
    /// <param name="precision">Kernel arithmetic.</param>
    /// <param name="maxDegreeOfParallelism">Threads used by the kernel (-1: all).</param>
    public static SoftCTransform Create(
        ReadOnlySpan<double> queries,
        int queryCount,
        PointCloud keys,
        CostFunction cost,
        Precision precision,
        int maxDegreeOfParallelism = -1)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return precision == Precision.Single
            ? new SoftCTransform<float>(queries, queryCount, keys, cost, maxDegreeOfParallelism)
            : new SoftCTransform<double>(queries, queryCount, keys, cost, maxDegreeOfParallelism);
    }

    /// <summary>Number of query points.</summary>
    public abstract int QueryCount { get; }

    /// <summary>Number of key points.</summary>
    public abstract int KeyCount { get; }

    /// <summary>Dimension of the points.</summary>
    public abstract int Dimension { get; }

    /// <summary>
    /// Point-pair cost evaluations made so far: every reduction costs queries x keys, whatever it
    /// computes. This is the work measure that dense and multiscale runs are compared by.
    /// </summary>
    public long KernelEvaluations { get; private protected set; }

    /// <summary>
    /// Runs the reduction with h_j = log b_j + g_j / eps and score scale s / eps (cost c = s |x - y|^2).
    /// The returned partials hold the true maxima (no internal shift). With
    /// <paramref name="withKeyPositions"/> the weighted sums are the key coordinates (barycentric map);
    /// with <paramref name="withMoment"/> the moment is the squared distance.
    /// </summary>
    public abstract SoftmaxPartials Reduce(ReadOnlySpan<double> keyPotential, double epsilon, bool withKeyPositions, bool withMoment);

    /// <summary>
    /// Runs the reduction with arbitrary per-key values (row-major, key count x
    /// <paramref name="valueDimension"/>): the weighted sums are sum_j exp(s_ij - m_i) v_j.
    /// </summary>
    public abstract SoftmaxPartials ReduceValues(ReadOnlySpan<double> keyPotential, double epsilon, ReadOnlySpan<double> values, int valueDimension);

    /// <summary>Writes T(g)_i = -eps (m_i + log z_i) for every query into <paramref name="result"/>.</summary>
    public void Apply(ReadOnlySpan<double> keyPotential, double epsilon, Span<double> result)
    {
        var partials = Reduce(keyPotential, epsilon, withKeyPositions: false, withMoment: false);
        WritePotential(partials, epsilon, result);
    }

    /// <summary>Writes -eps * LSE_i from reduction partials.</summary>
    public static void WritePotential(SoftmaxPartials partials, double epsilon, Span<double> result)
    {
        ArgumentNullException.ThrowIfNull(partials);
        for (var i = 0; i < partials.Count; i++)
        {
            result[i] = -epsilon * partials.LogSumExp(i);
        }
    }
}

/// <summary>The <see cref="SoftCTransform"/> in arithmetic <typeparamref name="T"/>.</summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
internal sealed class SoftCTransform<T> : SoftCTransform
    where T : unmanaged, IBinaryFloatingPointIeee754<T>, IExponentialFunctions<T>
{
    private readonly QueryPoints<T> queries;
    private readonly KeyPoints<T> keys;
    private readonly double[] keyLogWeights;
    private readonly T[] logWeightBuffer;
    private readonly T[] logWeightResiduals;
    private readonly double[] shiftedLogWeights;
    private readonly double costScale;
    private readonly int maxDegreeOfParallelism;
    private readonly PointCloud keyCloud;
    private T[]? keyPositionValues;

    public SoftCTransform(ReadOnlySpan<double> queryPositions, int queryCount, PointCloud keyCloud, CostFunction cost, int maxDegreeOfParallelism)
    {
        this.keyCloud = keyCloud;
        queries = new QueryPoints<T>(queryPositions, queryCount, keyCloud.Dimension);
        keys = new KeyPoints<T>(keyCloud.Positions, keyCloud.Count, keyCloud.Dimension);
        keyLogWeights = new double[keyCloud.Count];
        for (var j = 0; j < keyCloud.Count; j++)
        {
            keyLogWeights[j] = Math.Log(keyCloud.Weights[j]);
        }

        logWeightBuffer = keys.CreateLogWeightBuffer();
        logWeightResiduals = new T[keys.PaddedCount];
        shiftedLogWeights = new double[keys.Count];
        costScale = cost.Scale();
        this.maxDegreeOfParallelism = maxDegreeOfParallelism;
    }

    public override int QueryCount => queries.Count;

    public override int KeyCount => keys.Count;

    public override int Dimension => keys.Dimension;

    public override SoftmaxPartials Reduce(ReadOnlySpan<double> keyPotential, double epsilon, bool withKeyPositions, bool withMoment)
    {
        T[]? values = null;
        if (withKeyPositions)
        {
            values = keyPositionValues ??= keys.LayoutValues(keyCloud.Positions, keys.Dimension);
        }

        return Run(keyPotential, epsilon, values, withKeyPositions ? keys.Dimension : 0, withMoment);
    }

    public override SoftmaxPartials ReduceValues(ReadOnlySpan<double> keyPotential, double epsilon, ReadOnlySpan<double> values, int valueDimension)
    {
        var layout = keys.LayoutValues(values, valueDimension);
        return Run(keyPotential, epsilon, layout, valueDimension, withMoment: false);
    }

    private SoftmaxPartials Run(ReadOnlySpan<double> keyPotential, double epsilon, T[]? values, int valueDimension, bool withMoment)
    {
        if (keyPotential.Length != keys.Count)
        {
            throw new ArgumentException($"expected {keys.Count} key potentials, got {keyPotential.Length}", nameof(keyPotential));
        }

        // h_j = log b_j + g_j / eps is about 1/eps in size: shift it by its maximum, then hand it to the
        // kernel as T plus a residual (float32: the float64 value in two parts), so the float32 kernel forms
        // each score around a float64 per-query reference instead of rounding h_j at its own magnitude.
        // The shift is added back to every maximum in float64 afterwards.
        var inverseEpsilon = 1.0 / epsilon;
        var shift = double.NegativeInfinity;
        for (var j = 0; j < keys.Count; j++)
        {
            var h = keyLogWeights[j] + (keyPotential[j] * inverseEpsilon);
            shiftedLogWeights[j] = h;
            if (h > shift)
            {
                shift = h;
            }
        }

        if (!double.IsFinite(shift))
        {
            shift = 0;
        }

        for (var j = 0; j < keys.Count; j++)
        {
            shiftedLogWeights[j] -= shift;
        }

        SoftmaxReduction.SplitLogWeights<T>(shiftedLogWeights, logWeightBuffer, logWeightResiduals);
        var partials = new SoftmaxPartials(queries.Count, valueDimension, withMoment);
        KernelEvaluations += (long)queries.Count * keys.Count;
        SoftmaxReduction.Reduce(queries, keys, logWeightBuffer, logWeightResiduals, costScale * inverseEpsilon, partials, values, maxDegreeOfParallelism);
        for (var i = 0; i < partials.Count; i++)
        {
            partials.Max[i] += shift;
        }

        return partials;
    }
}
