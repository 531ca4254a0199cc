using Transport.Numerics.Geometry;
using Transport.Numerics.Kernels;

namespace Transport.Numerics.Transport;

/// <summary>
/// One contiguous block of one cloud with its potentials: the unit of work of a Sinkhorn shard. The
/// single-process solver uses one block per cloud; the distributed solver uses several per cloud and
/// moves only potential vectors between them, so both run exactly this code.
/// <para>
/// Cross problem: the block's potential p (f on the source side, g on the target side) is updated by
/// the soft c-transform against the whole opposite cloud. Self problem (debiasing): the block's part of
/// the symmetric potential is updated against its own whole cloud.
/// </para>
/// </summary>
public sealed class SinkhornBlock
{
    private readonly SoftCTransform crossTransform;
    private readonly PointCloud? ownCloud;
    private readonly CostFunction cost;
    private readonly Precision precision;
    private readonly int maxDegreeOfParallelism;
    private SoftCTransform? selfTransform;
    private double[] potential;
    private double[] candidate;
    private readonly double[] selfPotential;
    private readonly double[] selfCandidate;

    /// <summary>Creates a block.</summary>
    /// <param name="block">The block's points; its weights are its share of its cloud's unit mass.</param>
    /// <param name="offset">Index of the block's first point in its whole cloud.</param>
    /// <param name="opposite">The whole opposite cloud (keys of the cross transform).</param>
    /// <param name="ownCloud">The block's whole cloud (keys of the self transform), or null when no self problem is solved.</param>
    /// <param name="cost">Ground cost.</param>
    /// <param name="precision">Kernel arithmetic.</param>
    /// <param name="maxDegreeOfParallelism">Kernel threads (-1: all).</param>
    public SinkhornBlock(PointCloud block, int offset, PointCloud opposite, PointCloud? ownCloud, CostFunction cost, Precision precision, int maxDegreeOfParallelism = -1)
    {
        ArgumentNullException.ThrowIfNull(block);
        ArgumentNullException.ThrowIfNull(opposite);
        Block = block;
        Offset = offset;
        this.ownCloud = ownCloud;
        this.cost = cost;
        this.precision = precision;
        this.maxDegreeOfParallelism = maxDegreeOfParallelism;
        crossTransform = SoftCTransform.Create(block.Positions, block.Count, opposite, cost, precision, maxDegreeOfParallelism);
        potential = new double[block.Count];
        candidate = new double[block.Count];
        selfPotential = new double[block.Count];
        selfCandidate = new double[block.Count];
    }

    /// <summary>The block's points and weights.</summary>
    public PointCloud Block { get; }

    /// <summary>Index of the first point in the whole cloud.</summary>
    public int Offset { get; }

    /// <summary>Number of points in the block.</summary>
    public int Count => Block.Count;

    /// <summary>The cross-problem potential of the block's points.</summary>
    public ReadOnlySpan<double> Potential => potential;

    /// <summary>
    /// Point-pair cost evaluations made by this block so far (cross and self transforms, evaluations
    /// included): block size x key cloud size per transform.
    /// </summary>
    public long KernelEvaluations => crossTransform.KernelEvaluations + (selfTransform?.KernelEvaluations ?? 0);

    /// <summary>The self-problem potential of the block's points.</summary>
    public ReadOnlySpan<double> SelfPotential => selfPotential;

    /// <summary>Sets the cross potential (warm start); zero by default.</summary>
    public void SetPotential(ReadOnlySpan<double> values) => values.CopyTo(potential);

    /// <summary>Sets the self-problem potential (warm start of the debiasing term); zero by default.</summary>
    public void SetSelfPotential(ReadOnlySpan<double> values) => values.CopyTo(selfPotential);

    /// <summary>p = T(opposite potential); returns sum_i w_i p_i over the block.</summary>
    public double UpdateCross(ReadOnlySpan<double> oppositePotential, double epsilon)
    {
        crossTransform.Apply(oppositePotential, epsilon, potential);
        var sum = 0.0;
        for (var i = 0; i < potential.Length; i++)
        {
            if (Block.Weights[i] != 0)
            {
                sum += Block.Weights[i] * potential[i];
            }
        }

        return sum;
    }

    /// <summary>
    /// Computes the candidate p* = T(opposite potential) without adopting it and reports the marginal of
    /// the current plan on this block (mass_j = w_j exp((p_j - p*_j)/eps)).
    /// </summary>
    public MarginalReport CheckCross(ReadOnlySpan<double> oppositePotential, double epsilon)
    {
        crossTransform.Apply(oppositePotential, epsilon, candidate);
        return MarginalReport.Measure(Block.Weights, potential, candidate, epsilon);
    }

    /// <summary>Adopts the candidate computed by the last <see cref="CheckCross"/>.</summary>
    public void CommitCross() => (potential, candidate) = (candidate, potential);

    /// <summary>
    /// First half of a symmetric self-problem step: p* = T_self(whole self potential) on this block, kept
    /// as a candidate; reports the marginal of the self plan at the current potential. Splitting the step
    /// lets every block read the others' unchanged potentials before any block commits.
    /// </summary>
    public MarginalReport ComputeSelfCandidate(ReadOnlySpan<double> wholeSelfPotential, double epsilon)
    {
        SelfTransform().Apply(wholeSelfPotential, epsilon, selfCandidate);
        return MarginalReport.Measure(Block.Weights, selfPotential, selfCandidate, epsilon);
    }

    /// <summary>
    /// Second half of the step: p = p* (<see cref="SelfUpdate.Replace"/>) or p = (p + p*)/2
    /// (<see cref="SelfUpdate.Average"/>). Returns sum_i w_i p_i after the update, so that
    /// OT_eps(a, a) = 2 x the sum over blocks once converged.
    /// </summary>
    public double CommitSelf(SelfUpdate mode)
    {
        var weighted = 0.0;
        for (var i = 0; i < Count; i++)
        {
            selfPotential[i] = mode == SelfUpdate.Average ? 0.5 * (selfPotential[i] + selfCandidate[i]) : selfCandidate[i];
            if (Block.Weights[i] != 0)
            {
                weighted += Block.Weights[i] * selfPotential[i];
            }
        }

        return weighted;
    }

    /// <summary>
    /// Evaluates the cross plan on the block with the opposite potential: the barycentric map
    /// T(x_i) = sum_j P_ij y_j / w_i (row-major into <paramref name="map"/>) and the block's share of
    /// the transport cost &lt;P, C&gt; (returned). Uses row normalisation, exact when p = T(opposite).
    /// </summary>
    public double EvaluateCross(ReadOnlySpan<double> oppositePotential, double epsilon, Span<double> map)
    {
        var partials = crossTransform.Reduce(oppositePotential, epsilon, withKeyPositions: true, withMoment: true);
        return WriteMapAndCost(partials, map);
    }

    /// <summary>The self-plan barycentric map of the block (row-major into <paramref name="map"/>).</summary>
    public void EvaluateSelfMap(ReadOnlySpan<double> wholeSelfPotential, double epsilon, Span<double> map)
    {
        var partials = SelfTransform().Reduce(wholeSelfPotential, epsilon, withKeyPositions: true, withMoment: true);
        WriteMapAndCost(partials, map);
    }

    private double WriteMapAndCost(SoftmaxPartials partials, Span<double> map)
    {
        var d = Block.Dimension;
        var costScale = cost.Scale();
        var total = 0.0;
        for (var i = 0; i < Count; i++)
        {
            var z = partials.Sum[i];
            for (var k = 0; k < d; k++)
            {
                map[(i * d) + k] = partials.Weighted[(i * d) + k] / z;
            }

            if (Block.Weights[i] != 0)
            {
                total += Block.Weights[i] * costScale * partials.Moment[i] / z;
            }
        }

        return total;
    }

    private SoftCTransform SelfTransform()
    {
        if (ownCloud is null)
        {
            throw new InvalidOperationException("this block was created without its whole cloud; the self problem is unavailable");
        }

        return selfTransform ??= SoftCTransform.Create(Block.Positions, Block.Count, ownCloud, cost, precision, maxDegreeOfParallelism);
    }
}
