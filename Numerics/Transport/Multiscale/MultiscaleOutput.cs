namespace Transport.Numerics.Transport.Multiscale;

/// <summary>
/// The result of a Sinkhorn solve (multiscale, or dense: one level, every block kept), with the definitions of <see cref="SinkhornOutput"/>: potentials with
/// P_ij = a_i b_j exp((f_i + g_j - C_ij)/eps) (input order, balanced so that &lt;f, a&gt; = &lt;g, b&gt;),
/// f = T_b(g) on the kept blocks (rows exact there), the L1 column-marginal error of the kept-block plan,
/// and an upper bound on the plan mass outside the kept blocks.
/// </summary>
public sealed record MultiscaleOutput
{
    /// <summary>
    /// True when the solve's points stay on the backend that solved them (a cluster's dense solve: the shards serve the
    /// potentials and the map); <see cref="F"/>, <see cref="G"/> and <see cref="Map"/> are then empty.
    /// </summary>
    public bool ArraysOnBackend { get; init; }

    /// <summary>Source potential f (one per source point, input order).</summary>
    public required double[] F { get; init; }

    /// <summary>Target potential g (one per target point, input order).</summary>
    public required double[] G { get; init; }

    /// <summary>
    /// The barycentric map sum_j P_ij y_j / a_i of every source point (row-major n x d, input order), computed over
    /// the kept blocks; empty when the plan was not evaluated (<see cref="TransportCost"/> is then NaN).
    /// </summary>
    public required double[] Map { get; init; }

    /// <summary>Target regularisation.</summary>
    public required double Epsilon { get; init; }

    /// <summary>Transport cost &lt;P, C&gt; over the kept blocks (row-normalised, as the dense output).</summary>
    public required double TransportCost { get; init; }

    /// <summary>Entropic objective &lt;f, a&gt; + sum_j g_j (P^T 1)_j (= &lt;P, C&gt; + eps KL(P | a x b) when rows are exact).</summary>
    public required double Objective { get; init; }

    /// <summary>Dual objective &lt;f, a&gt; + &lt;g, b&gt;.</summary>
    public required double Dual { get; init; }

    /// <summary>&lt;f, a&gt; of the final potentials, before balancing.</summary>
    public double SourceDual { get; init; }

    /// <summary>&lt;g, b&gt; of the final potentials, before balancing.</summary>
    public double TargetDual { get; init; }

    /// <summary>L2 column-marginal error of the kept-block plan at the end.</summary>
    public double MarginalError2 { get; init; }

    /// <summary>Every checked iteration at the target eps, in order.</summary>
    public IReadOnlyList<SinkhornProgress> History { get; init; } = [];

    /// <summary>L1 column-marginal error of the kept-block plan at the end.</summary>
    public required double MarginalError { get; init; }

    /// <summary>
    /// Upper bound on the mass of the full plan (f, g) in the dropped blocks: sum over dropped pairs of
    /// A_I B_J e^beta (see <see cref="TruncationSearch"/>). The full plan's L1 marginal errors exceed the
    /// kept-block ones by at most this much (rows and columns each). Zero for a dense (one-level) solve.
    /// </summary>
    public required double NeglectedMass { get; init; }

    /// <summary>Iterations over all levels (annealing and safeguard rounds included).</summary>
    public required int Iterations { get; init; }

    /// <summary>
    /// True when the kept-block marginal error went below the tolerance and, with the safeguard on, the
    /// neglected mass is within <see cref="MultiscaleOptions.NeglectedMassTolerance"/>.
    /// </summary>
    public required bool Converged { get; init; }

    /// <summary>Safeguard rounds that re-admitted blocks and iterated again.</summary>
    public required int Refinements { get; init; }

    /// <summary>Blocks re-admitted by the safeguard (pairs at any level, before splitting).</summary>
    public required long ReadmittedPairs { get; init; }

    /// <summary>Point-pair cost evaluations over the whole solve.</summary>
    public long KernelEvaluations => Levels.Sum(level => level.KernelEvaluations);

    /// <summary>Bytes of potentials moved between shards over the whole solve (0 in one process).</summary>
    public long BytesExchanged => Levels.Sum(level => level.BytesExchanged);

    /// <summary>Number of levels (1 = dense).</summary>
    public int LevelCount => Levels.Count;

    /// <summary>Per level, finest first.</summary>
    public required IReadOnlyList<MultiscaleLevelReport> Levels { get; init; }

    /// <summary>The over-relaxation factor the points level ended with (1: plain Sinkhorn); a warm start of a nearby solve can begin with it.</summary>
    public double Relaxation { get; init; } = 1.0;

    /// <summary>
    /// Why the solve ran the dense schedule on the points instead of a truncated one (null when it did not): the
    /// hierarchy could not help (too few points, points collapsed into a few cells, clusters of one point), or the
    /// block pattern kept missing mass after the safeguard's refinements. The answer is then the dense solver's.
    /// </summary>
    public string? DenseReason { get; init; }

    /// <summary>
    /// The leaf size the multiscale solve used (<see cref="MultiscaleOptions.LeafClusterSize"/>: the one given, or the
    /// one the memory budget chose; reported also when the solve then ran densely); null for a dense solve.
    /// </summary>
    public int? LeafClusterSize { get; init; }

    /// <summary>The estimated peak bytes of the multiscale solve at that leaf size (<see cref="MultiscaleMemoryEstimate"/>); null for a dense solve.</summary>
    public long? EstimatedPeakBytes { get; init; }

    /// <summary>
    /// Array values the solve held at most outside its point backend: the cluster levels (1 and up) of both sides, the
    /// coarse potentials, the kept and dropped block pairs and the patterns (the points and their potentials, in process or
    /// on shards, are not counted).
    /// </summary>
    public long ResidentValues { get; init; }
}
