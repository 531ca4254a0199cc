using System.Globalization;
using Transport.Numerics.Geometry;
using Transport.Numerics.Kernels;

namespace Transport.Numerics.Transport;

/// <summary>Options of a Sinkhorn solve. <see cref="Validate"/> rejects out-of-range values naming the field.</summary>
public sealed record SinkhornOptions
{
    /// <summary>Target regularisation eps &gt; 0, in the units of the cost (no default: the user chooses it).</summary>
    public required double Epsilon { get; init; }

    /// <summary>Ground cost; default |x - y|^2.</summary>
    public CostFunction Cost { get; init; } = CostFunction.SquaredEuclidean;

    /// <summary>Stop when the L1 column-marginal error is below this; default 1e-6.</summary>
    public double Tolerance { get; init; } = 1e-6;

    /// <summary>Iteration cap (annealing iterations included); default 10,000. Reaching it is not an error: the output says <c>Converged = false</c>.</summary>
    public int MaxIterations { get; init; } = 10_000;

    /// <summary>
    /// Annealing factor in (0, 1]: eps starts at the largest cost (s D^2, D the diameter of the joint bounding
    /// box) and is multiplied by this factor each iteration until it reaches <see cref="Epsilon"/>.
    /// 1 turns annealing off. Default 0.5 (GeomLoss's default).
    /// </summary>
    public double Scaling { get; init; } = 0.5;

    /// <summary>The convergence test runs every this many iterations (the measurement itself is free); default 1.</summary>
    public int CheckEvery { get; init; } = 1;

    /// <summary>
    /// Over-relaxation factor w of the cross problem's iterations at the target eps: each half-step moves a potential to
    /// p + w (T(opposite) - p) instead of T(opposite) (successive over-relaxation of alternating Sinkhorn;
    /// same fixed point). Null (the default) is adaptive: a few plain iterations measure the contraction
    /// rate eta, then w = 2 / (1 + sqrt(1 - eta)) (Young's optimal factor), raised when the observed rate
    /// lags, switched off if the error grows, and a relaxed iteration never ends the solve (one plain
    /// step follows). 1 turns relaxation off (plain Sinkhorn); a value in (1, 2) is used as given (still
    /// guarded). Annealing stages always iterate plainly. Self problems (the divergence's debiasing terms) use
    /// the symmetric averaged update instead, which converges faster there (see <see cref="SinkhornUpdate"/>).
    /// </summary>
    public double? Overrelaxation { get; init; }

    /// <summary>Kernel arithmetic; default float64.</summary>
    public Precision Precision { get; init; } = Precision.Double;

    /// <summary>Threads for the kernels (-1: all cores).</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;

    /// <summary>
    /// An annealing stage (one eps of the schedule) iterates until its L1 marginal error is at most this (or
    /// <see cref="Tolerance"/>, when larger) or <see cref="MaxIterationsPerStage"/> is reached; default 1e-3. One
    /// iteration per stage (GeomLoss's schedule) leaves the last stage far from its solution at small eps: on 400 + 400
    /// Gaussian points at eps / diameter^2 = 1e-4 the multiscale cross problem then needed more than 10,000
    /// iterations, against 461 with stages run to 1e-3.
    /// </summary>
    public double StageTolerance { get; init; } = 1e-3;

    /// <summary>Most iterations of one annealing stage; default 50 (1 gives GeomLoss's one iteration per stage).</summary>
    public int MaxIterationsPerStage { get; init; } = 50;

    /// <summary>
    /// The cost scale c_max the admissible eps is measured against (<see cref="EpsilonRange"/>); null (the default) takes
    /// the solved problem's largest cost over its joint bounding box. The self problems of a Sinkhorn divergence set the
    /// joint scale of both clouds: the divergence's accuracy is relative to it, and a tight cloud's own scale would refuse
    /// an eps that is fine for the divergence.
    /// </summary>
    public double? CostScale { get; init; }

    /// <summary>
    /// These options with <see cref="CostScale"/> set to the largest cost of <paramref name="problem"/>'s joint bounding box
    /// (unless already set): the options of a divergence's self problems.
    /// </summary>
    public SinkhornOptions WithJointCostScale(SinkhornProblem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var joint = SinkhornProblem.MaxCost(BoundingBox.Of(problem.Source).Union(BoundingBox.Of(problem.Target)), Cost);

        // A non-finite scale is left for the range check to report (as coordinates too far apart).
        return CostScale is not null || !double.IsFinite(joint) ? this : this with { CostScale = joint };
    }

    /// <summary>Throws <see cref="InvalidInputException"/> for the first invalid field.</summary>
    public void Validate()
    {
        if (!double.IsFinite(Epsilon) || Epsilon <= 0)
        {
            throw new InvalidInputException("epsilon", $"must be a finite number > 0, got {Format(Epsilon)}");
        }

        if (!double.IsFinite(Tolerance) || Tolerance <= 0)
        {
            throw new InvalidInputException("tolerance", $"must be a finite number > 0, got {Format(Tolerance)}");
        }

        if (MaxIterations < 1)
        {
            throw new InvalidInputException("max-iterations", $"must be at least 1, got {MaxIterations}");
        }

        if (!double.IsFinite(Scaling) || Scaling <= 0 || Scaling > 1)
        {
            throw new InvalidInputException("scaling", $"must be in (0, 1], got {Format(Scaling)}");
        }

        if (CheckEvery < 1)
        {
            throw new InvalidInputException("check-every", $"must be at least 1, got {CheckEvery}");
        }

        if (!double.IsFinite(StageTolerance) || StageTolerance <= 0)
        {
            throw new InvalidInputException("stage-tolerance", $"must be a finite number > 0, got {Format(StageTolerance)}");
        }

        if (MaxIterationsPerStage < 1)
        {
            throw new InvalidInputException("max-iterations-per-stage", $"must be at least 1, got {MaxIterationsPerStage}");
        }

        if (CostScale is { } scale && (!double.IsFinite(scale) || scale < 0))
        {
            throw new InvalidInputException("cost-scale", $"must be a finite number >= 0, got {Format(scale)}");
        }

        if (Overrelaxation is { } w && (!double.IsFinite(w) || w < 1 || w >= 2))
        {
            throw new InvalidInputException("overrelaxation", $"must be in [1, 2), got {Format(w)}");
        }
    }

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
