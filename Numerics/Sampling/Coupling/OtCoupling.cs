using System.Globalization;
using Transport.Numerics.Geometry;
using Transport.Numerics.Randomness;
using Transport.Numerics.Transport;

namespace Transport.Numerics.Sampling.Coupling;

/// <summary>How the pairs of a coupled interpolant are matched (math.md 3: minibatch OT couplings).</summary>
public enum CouplingSolver
{
    /// <summary>Pairs as drawn: the independent coupling, the baseline.</summary>
    Independent,

    /// <summary>The exact optimal assignment of an equal-size uniform batch (<see cref="ExactAssignment"/>, small batches).</summary>
    Exact,

    /// <summary>
    /// Entropic OT by Sinkhorn (in process here, or the cluster's distributed solver), each source point paired with
    /// its barycentric image sum_j P_ij y_j / a_i, which tends to the Monge map as epsilon -&gt; 0.
    /// </summary>
    Sinkhorn,
}

/// <summary>The pairs (x0_k, x1_k) of a coupling, row-major, one per source point, with uniform weights.</summary>
/// <param name="Sources">The pair sources x0_k (count x d).</param>
/// <param name="Targets">The pair targets x1_k (count x d).</param>
/// <param name="Dimension">The dimension d.</param>
public sealed record CouplingPairs(double[] Sources, double[] Targets, int Dimension)
{
    /// <summary>The number of pairs.</summary>
    public int Count => Sources.Length / Dimension;

    /// <summary>Mean squared pair displacement E|x1 - x0|^2, the transport cost the coupling pays.</summary>
    public double MeanSquaredDisplacement()
    {
        var sum = 0.0;
        for (var i = 0; i < Sources.Length; i++)
        {
            var difference = Targets[i] - Sources[i];
            sum += difference * difference;
        }

        return sum / Count;
    }
}

/// <summary>
/// Builds OT couplings between source noise and target samples for the coupled interpolant
/// (<see cref="CoupledPairsField"/>): draw the pair sources, match them to target samples, return the pairs.
/// </summary>
public static class OtCoupling
{
    /// <summary>The step index reserved for the pair sources (apart from the particles' source noise at step -1 and target draws at -2).</summary>
    public const long PairSourceStep = -3;

    /// <summary>The blur of the Sinkhorn coupling as a fraction of the diameter of the two clouds: epsilon = (fraction x diameter)^2.</summary>
    public const double DefaultBlurFraction = 0.01;

    /// <summary>Draws <paramref name="count"/> standard Gaussian pair sources (row-major), keyed by (seed, pair id, step -3).</summary>
    public static double[] DrawSources(long seed, int count, int dimension)
    {
        if (count < 1)
        {
            throw new InvalidInputException("coupling-pairs", $"pair count {count} must be at least 1");
        }

        var sources = new double[checked(count * dimension)];
        CounterRandom.FillNormals(seed, 0, PairSourceStep, 0, dimension, sources);
        return sources;
    }

    /// <summary>Pairs the sources with the targets in the order drawn (the independent coupling).</summary>
    public static CouplingPairs Independent(double[] sources, double[] targets, int dimension)
    {
        CheckBatch(sources, targets, dimension);
        return new CouplingPairs((double[])sources.Clone(), (double[])targets.Clone(), dimension);
    }

    /// <summary>Pairs every source with its partner in the exact optimal assignment (squared Euclidean cost).</summary>
    public static CouplingPairs Exact(double[] sources, double[] targets, int dimension)
    {
        CheckBatch(sources, targets, dimension);
        var permutation = ExactAssignment.Solve(sources, targets, dimension);
        var matched = new double[targets.Length];
        for (var i = 0; i < permutation.Length; i++)
        {
            targets.AsSpan(permutation[i] * dimension, dimension).CopyTo(matched.AsSpan(i * dimension));
        }

        return new CouplingPairs((double[])sources.Clone(), matched, dimension);
    }

    /// <summary>Pairs every source with its image under an entropic barycentric <paramref name="map"/> (count x d).</summary>
    public static CouplingPairs FromMap(double[] sources, double[] map, int dimension)
    {
        CheckBatch(sources, map, dimension);
        return new CouplingPairs((double[])sources.Clone(), (double[])map.Clone(), dimension);
    }

    /// <summary>
    /// The entropic coupling solved in this process (the single-process reference of the cluster's Sinkhorn coupling):
    /// epsilon = (blur fraction x diameter)^2 with the squared Euclidean cost, uniform weights.
    /// </summary>
    public static CouplingPairs Sinkhorn(double[] sources, double[] targets, int dimension, double blurFraction = DefaultBlurFraction, double tolerance = 1e-6)
    {
        CheckBatch(sources, targets, dimension);
        var map = SinkhornMap(sources, targets, dimension, Epsilon(sources, targets, dimension, blurFraction), tolerance);
        return FromMap(sources, map, dimension);
    }

    /// <summary>The barycentric map of the in-process entropic OT plan at <paramref name="epsilon"/> (squared Euclidean cost, uniform weights).</summary>
    public static double[] SinkhornMap(double[] sources, double[] targets, int dimension, double epsilon, double tolerance = 1e-6)
    {
        CheckBatch(sources, targets, dimension);
        var source = PointCloud.Create(sources, sources.Length / dimension, dimension, field: "coupling-sources");
        var target = PointCloud.Create(targets, targets.Length / dimension, dimension, field: "coupling-targets");
        var output = SinkhornSolver.Solve(new SinkhornProblem(source, target), new SinkhornOptions { Epsilon = epsilon, Tolerance = tolerance });
        return output.BarycentricMap();
    }

    /// <summary>epsilon = (fraction x diameter of the joint bounding box)^2, the blur convention of the couplings.</summary>
    public static double Epsilon(double[] sources, double[] targets, int dimension, double blurFraction)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(targets);
        if (!(blurFraction > 0.0) || !double.IsFinite(blurFraction))
        {
            throw new InvalidInputException("coupling-blur", $"blur fraction {blurFraction} must be positive and finite");
        }

        var diameterSquared = 0.0;
        for (var c = 0; c < dimension; c++)
        {
            var low = double.PositiveInfinity;
            var high = double.NegativeInfinity;
            foreach (var cloud in new[] { sources, targets })
            {
                for (var i = c; i < cloud.Length; i += dimension)
                {
                    low = Math.Min(low, cloud[i]);
                    high = Math.Max(high, cloud[i]);
                }
            }

            diameterSquared += (high - low) * (high - low);
        }

        var epsilon = blurFraction * blurFraction * diameterSquared;
        epsilon = epsilon > 0.0 ? epsilon : blurFraction * blurFraction;

        // The Sinkhorn solve refuses an eps outside its admissible range (EpsilonRange); say it in the blur's terms here,
        // where the user's number is known. The range in blur fractions is sqrt(eps range / D^2).
        var range = EpsilonRange.For(diameterSquared, sources.Length / Math.Max(dimension, 1), Kernels.Precision.Double);
        if (!range.Contains(epsilon))
        {
            var scale = diameterSquared > 0.0 ? diameterSquared : 1.0;
            throw new InvalidInputException(
                "coupling-blur",
                string.Create(CultureInfo.InvariantCulture, $"{blurFraction:G6} gives epsilon = (blur x diameter)^2 = {epsilon:G3}, outside the admissible range {range.Describe()}: the blur fraction must be in [{Math.Sqrt(range.Min / scale):G3}, {Math.Sqrt(range.Max / scale):G3}]; {range.Reason(epsilon)}"));
        }

        return epsilon;
    }

    private static void CheckBatch(double[] sources, double[] targets, int dimension)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(targets);
        if (dimension < 1 || sources.Length == 0 || sources.Length % dimension != 0)
        {
            throw new InvalidInputException("coupling-sources", $"length {sources.Length} is not a positive multiple of d = {dimension}");
        }

        if (targets.Length != sources.Length)
        {
            throw new InvalidInputException("coupling-targets", $"has {targets.Length / dimension} points, expected {sources.Length / dimension} (one per source)");
        }
    }
}
