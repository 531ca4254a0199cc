using Transport.Numerics.Geometry;
using Transport.Numerics.Kernels;

namespace Transport.Numerics.Transport;

/// <summary>
/// One contiguous block of one cloud with its potentials: the unit of work of a Sinkhorn shard. The
/// single-process solver uses one block per cloud; the distributed solver uses several per cloud and
/// moves only potential vectors between them, so both run exactly this code.
/// <para>
/// Cross problem: the block's potential p (f on the source side, g on the target side) is moved toward
/// the soft c-transform against the whole opposite cloud. Self problem (debiasing): the block's cloud is
/// both the source and the target of OT_eps(a, a), so the block holds its rows of both potentials of
/// that problem (f_aa and g_aa), each moved toward the soft c-transform of the other against its own
/// whole cloud. Every move is a blend (<see cref="SinkhornUpdate"/>): p &lt;- p + w (T - p) for the cross
/// problem (w = 1 is plain Sinkhorn and copies T exactly), and also the symmetric averaged half-step
/// p &lt;- (other + T) / 2 for the self problem, whose other potential lives on the same rows.
/// </para>
/// </summary>
public sealed class SinkhornBlock
{
    private readonly SoftCTransform crossTransform;
    private readonly PointCloud? ownCloud;
    private readonly CostFunction cost;
    private readonly Precision precision;
    private readonly int maxDegreeOfParallelism;
    private readonly double[] potential;
    private readonly double[] candidate;
    private readonly double[] transformed;
    private readonly double[] selfSource;
    private readonly double[] selfTarget;
    private readonly double[] selfCandidate;
    private SoftCTransform? selfTransform;

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
        transformed = new double[block.Count];
        selfSource = new double[block.Count];
        selfTarget = new double[block.Count];
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

    /// <summary>The block's rows of the self problem's source potential f_aa (updated like a cross f).</summary>
    public ReadOnlySpan<double> SelfSourcePotential => selfSource;

    /// <summary>The block's rows of the self problem's target potential g_aa (checked and committed like a cross g).</summary>
    public ReadOnlySpan<double> SelfTargetPotential => selfTarget;

    /// <summary>Sets the cross potential (warm start); zero by default.</summary>
    public void SetPotential(ReadOnlySpan<double> values) => values.CopyTo(potential);

    /// <summary>Sets the self problem's potentials f_aa and g_aa on the block's rows (warm start); zero by default.</summary>
    public void SetSelfPotentials(ReadOnlySpan<double> source, ReadOnlySpan<double> target)
    {
        source.CopyTo(selfSource);
        target.CopyTo(selfTarget);
    }

    /// <summary>
    /// Source half-step of the cross problem: p &lt;- Blend(p, T(opposite potential)); returns
    /// sum_i w_i p_i over the block after the update.
    /// </summary>
    public double UpdateCross(ReadOnlySpan<double> oppositePotential, double epsilon, SinkhornUpdate update) =>
        Update(crossTransform, oppositePotential, epsilon, Cross(update), potential, potential);

    /// <summary>
    /// Target half-step of the cross problem, first part: computes the candidate p* = T(opposite potential)
    /// without adopting it and reports the marginal of the current plan on this block
    /// (mass_j = w_j exp((p_j - p*_j)/eps)).
    /// </summary>
    public MarginalReport CheckCross(ReadOnlySpan<double> oppositePotential, double epsilon)
    {
        crossTransform.Apply(oppositePotential, epsilon, candidate);
        return MarginalReport.Measure(Block.Weights, potential, candidate, epsilon);
    }

    /// <summary>Target half-step of the cross problem, second part: p &lt;- Blend(p, p*) with the candidate of the last <see cref="CheckCross"/>.</summary>
    public void CommitCross(SinkhornUpdate update) => Cross(update).Blend(potential, potential, candidate);

    /// <summary>
    /// Source half-step of the self problem: f_aa &lt;- Blend(f_aa, T_self(whole g_aa)) on the block's rows (with
    /// the block's g_aa as the base of a symmetric update); returns sum_i w_i f_aa,i over the block after the update.
    /// </summary>
    public double UpdateSelf(ReadOnlySpan<double> wholeSelfTarget, double epsilon, SinkhornUpdate update) =>
        Update(SelfTransform(), wholeSelfTarget, epsilon, update, selfSource, selfTarget);

    /// <summary>
    /// Target half-step of the self problem, first part: the candidate T_self(whole f_aa) on the block's rows,
    /// kept, and the column-marginal report of the block's g_aa against it.
    /// </summary>
    public MarginalReport CheckSelf(ReadOnlySpan<double> wholeSelfSource, double epsilon)
    {
        SelfTransform().Apply(wholeSelfSource, epsilon, selfCandidate);
        return MarginalReport.Measure(Block.Weights, selfTarget, selfCandidate, epsilon);
    }

    /// <summary>Target half-step of the self problem, second part: g_aa &lt;- Blend(g_aa, candidate) (base f_aa when symmetric).</summary>
    public void CommitSelf(SinkhornUpdate update) => update.Blend(selfTarget, selfSource, selfCandidate);

    private static SinkhornUpdate Cross(SinkhornUpdate update) => update.Symmetric
        ? throw new ArgumentException("the symmetric update is for self problems: a cross potential has no other potential on its rows", nameof(update))
        : update;

    private double Update(SoftCTransform transform, ReadOnlySpan<double> oppositePotential, double epsilon, SinkhornUpdate update, double[] destination, double[] other)
    {
        transform.Apply(oppositePotential, epsilon, transformed);
        update.Blend(destination, other, transformed);
        var sum = 0.0;
        for (var i = 0; i < destination.Length; i++)
        {
            if (Block.Weights[i] != 0)
            {
                sum += Block.Weights[i] * destination[i];
            }
        }

        return sum;
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

    /// <summary>
    /// The self-plan barycentric map of the block (row-major into <paramref name="map"/>), row-normalised
    /// with <paramref name="wholeSelfPotential"/> as the potential of the keys (the block's whole cloud).
    /// </summary>
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
