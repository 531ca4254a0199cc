using System.Numerics.Tensors;
using Transport.Numerics.Geometry;
using Transport.Numerics.Transport.Multiscale;

namespace Transport.Numerics.Transport;

/// <summary>
/// The result of a Sinkhorn solve: potentials f, g (convention P_ij = a_i b_j exp((f_i + g_j - C_ij)/eps))
/// and convergence facts; every other answer (cost, plan products, barycentric map, top-k) is computed
/// on demand by streaming reductions, never by forming the plan.
/// </summary>
public sealed class SinkhornOutput
{
    private double[]? map;
    private double transportCost = double.NaN;
    private long answerEvaluations;

    internal SinkhornOutput(SinkhornProblem problem, SinkhornOptions options, MultiscaleOutput run)
    {
        Problem = problem;
        Options = options;
        F = run.F;
        G = run.G;
        Summary = Summarise(run);
    }

    /// <summary>The schedule's facts of a run (a dense solve, or any solve of a divergence).</summary>
    internal static SinkhornRunSummary Summarise(MultiscaleOutput run) =>
        new(run.Iterations, run.Converged, run.MarginalError, run.MarginalError2, run.Dual, run.Objective, run.History, run.KernelEvaluations)
        {
            Relaxation = run.Relaxation,
        };

    /// <summary>The problem that was solved.</summary>
    public SinkhornProblem Problem { get; }

    /// <summary>The options of the solve.</summary>
    public SinkhornOptions Options { get; }

    /// <summary>Target regularisation.</summary>
    public double Epsilon => Options.Epsilon;

    /// <summary>Source potential f (one per source point, input order).</summary>
    public double[] F { get; }

    /// <summary>Target potential g (one per target point, input order).</summary>
    public double[] G { get; }

    /// <summary>Iterations, convergence flag, final errors and history.</summary>
    public SinkhornRunSummary Summary { get; }

    /// <summary>Iterations performed.</summary>
    public int Iterations => Summary.Iterations;

    /// <summary>True only when the L1 column-marginal error went below the tolerance.</summary>
    public bool Converged => Summary.Converged;

    /// <summary>Final L1 column-marginal error.</summary>
    public double MarginalError => Summary.MarginalError;

    /// <summary>Dual objective &lt;f, a&gt; + &lt;g, b&gt;.</summary>
    public double Dual => Summary.Dual;

    /// <summary>Entropic objective &lt;P, C&gt; + eps KL(P | a x b).</summary>
    public double Objective => Summary.Objective;

    /// <summary>
    /// Point-pair cost evaluations of this solve so far: the schedule (<see cref="SinkhornRunSummary.KernelEvaluations"/>,
    /// 2 n m per iteration) plus every answer computed on demand. The transport cost and the barycentric map
    /// share one n m pass, made once; each <see cref="ApplyPlan"/>, <see cref="ApplyPlanTranspose"/> and
    /// <see cref="TopK"/> call is another n m. After reading the cost of a converged run of K iterations the
    /// count is therefore (2 K + 1) n m, the figure a distributed run reports.
    /// </summary>
    public long KernelEvaluations => Summary.KernelEvaluations + answerEvaluations;

    /// <summary>Transport cost &lt;P, C&gt; (computed once, on first use).</summary>
    public double TransportCost
    {
        get
        {
            EnsureEvaluated();
            return transportCost;
        }
    }

    /// <summary>Barycentric map T(x_i) = sum_j P_ij y_j / a_i, row-major n x d (computed once).</summary>
    public double[] BarycentricMap()
    {
        EnsureEvaluated();
        return (double[])map!.Clone();
    }

    /// <summary>
    /// P v: for per-target values (row-major m x k) returns per-source sums sum_j P_ij v_j (n x k).
    /// </summary>
    public double[] ApplyPlan(ReadOnlySpan<double> targetValues, int valueDimension)
    {
        var source = Problem.Source;
        var transform = SoftCTransform.Create(source.Positions, source.Count, Problem.Target, Options.Cost, Options.Precision, Options.MaxDegreeOfParallelism);
        var partials = transform.ReduceValues(G, Epsilon, targetValues, valueDimension);
        answerEvaluations += transform.KernelEvaluations;
        return Scale(partials, source.Weights, F, valueDimension);
    }

    /// <summary>
    /// P^T w: for per-source values (row-major n x k) returns per-target sums sum_i P_ij w_i (m x k).
    /// </summary>
    public double[] ApplyPlanTranspose(ReadOnlySpan<double> sourceValues, int valueDimension)
    {
        var target = Problem.Target;
        var transform = SoftCTransform.Create(target.Positions, target.Count, Problem.Source, Options.Cost, Options.Precision, Options.MaxDegreeOfParallelism);
        var partials = transform.ReduceValues(F, Epsilon, sourceValues, valueDimension);
        answerEvaluations += transform.KernelEvaluations;
        return Scale(partials, target.Weights, G, valueDimension);
    }

    /// <summary>
    /// The <paramref name="k"/> targets receiving the most mass from each source point, by decreasing
    /// P_ij: indices and masses, row-major n x k (k is capped at m). Streams over targets per source.
    /// </summary>
    public (int[] Indices, double[] Masses) TopK(int k)
    {
        var top = PlanTopK.Compute(Problem, F, G, Epsilon, Options.Cost, k);
        answerEvaluations += (long)Problem.Source.Count * Problem.Target.Count;
        return top;
    }

    private void EnsureEvaluated()
    {
        if (map is not null)
        {
            return;
        }

        // One pass over the plan for both answers: the key positions (the map) and the squared distance (the cost).
        var source = Problem.Source;
        var transform = SoftCTransform.Create(source.Positions, source.Count, Problem.Target, Options.Cost, Options.Precision, Options.MaxDegreeOfParallelism);
        var partials = transform.Reduce(G, Epsilon, withKeyPositions: true, withMoment: true);
        answerEvaluations += transform.KernelEvaluations;
        var d = source.Dimension;
        var result = new double[source.Count * d];
        var costScale = Options.Cost.Scale();
        var total = 0.0;
        for (var i = 0; i < source.Count; i++)
        {
            var z = partials.Sum[i];
            for (var k = 0; k < d; k++)
            {
                result[(i * d) + k] = partials.Weighted[(i * d) + k] / z;
            }

            if (source.Weights[i] != 0)
            {
                total += source.Weights[i] * costScale * partials.Moment[i] / z;
            }
        }

        transportCost = total;
        map = result;
    }

    private double[] Scale(Kernels.SoftmaxPartials partials, ReadOnlySpan<double> weights, ReadOnlySpan<double> potential, int valueDimension)
    {
        // (P v)_i = a_i exp(f_i/eps + m_i) u_i.
        var result = new double[partials.Count * valueDimension];
        for (var i = 0; i < partials.Count; i++)
        {
            if (weights[i] == 0 || partials.Sum[i] == 0)
            {
                continue;
            }

            var factor = weights[i] * Math.Exp((potential[i] / Epsilon) + partials.Max[i]);
            TensorPrimitives.Multiply(partials.Weighted.AsSpan(i * valueDimension, valueDimension), factor, result.AsSpan(i * valueDimension, valueDimension));
        }

        return result;
    }
}
