using Transport.Numerics.Flows;
using Transport.Numerics.Flows.Models;

namespace Transport.Client.Flows;

/// <summary>The token cluster diagnostics of one snapshot.</summary>
/// <param name="Step">The snapshot's step.</param>
/// <param name="Time">Its time.</param>
/// <param name="Clusters">Single-linkage clusters at the angular threshold; null above <see cref="TokenClusters.MaxSingleLinkageTokens"/> tokens in d &gt; 2.</param>
/// <param name="MinInnerProduct">min over pairs of &lt;x_i, x_j&gt; (1 when every token is at one point of the sphere).</param>
internal sealed record TokenClusterPoint(long Step, double Time, int? Clusters, double MinInnerProduct);

/// <summary>
/// Cluster counts and minimum pairwise inner products of a token model's snapshots (math.md 6.2, TR-4: metastable
/// plateaus of the cluster count), computed in the console from the trajectory it downloaded
/// (<see cref="TokenClusters"/>: O(n log n) on the circle, O(n^2 d) otherwise). Every snapshot is measured while
/// snapshots x n^2 stays within <see cref="PairBudget"/>; beyond it, evenly spaced snapshots and always the last.
/// </summary>
internal sealed class TokenClusterSeries
{
    /// <summary>Token pairs measured at most over a run (about a minute on two cores).</summary>
    public const double PairBudget = 4e9;

    private readonly Dictionary<long, TokenClusterPoint> byStep;

    private TokenClusterSeries(IReadOnlyList<TokenClusterPoint> points)
    {
        Points = points;
        byStep = points.ToDictionary(p => p.Step);
    }

    /// <summary>The measured snapshots, in time order; the last is the final state.</summary>
    public IReadOnlyList<TokenClusterPoint> Points { get; }

    /// <summary>Whether <paramref name="model"/> moves tokens (attention and Sinkformer models).</summary>
    public static bool Applies(string model) => model is "attention-sphere" or "attention" or "sinkformer" or "sinkformer-heat";

    /// <summary>Measures the snapshots of <paramref name="trajectory"/> at angular threshold <paramref name="angle"/> (radians).</summary>
    public static TokenClusterSeries Compute(FlowTrajectory trajectory, double angle)
    {
        ArgumentNullException.ThrowIfNull(trajectory);
        var (n, d) = (trajectory.Count, trajectory.Dimension);
        var snapshots = trajectory.Snapshots;
        var pairs = (double)n * n * snapshots.Count;
        var stride = Math.Max(1, (int)Math.Ceiling(pairs / PairBudget));
        var chosen = Enumerable.Range(0, snapshots.Count).Where(s => s % stride == 0 || s == snapshots.Count - 1);
        var countable = d == 2 || n <= TokenClusters.MaxSingleLinkageTokens;
        var points = chosen.Select(s =>
        {
            var positions = snapshots[s].Positions;
            int? clusters = countable ? TokenClusters.Count(positions, d, angle) : null;
            return new TokenClusterPoint(snapshots[s].Step, snapshots[s].Time, clusters, TokenClusters.MinPairwiseInnerProduct(positions, d));
        }).ToList();
        return new TokenClusterSeries(points);
    }

    /// <summary>The measurement of the snapshot at <paramref name="step"/>, or null (no snapshot there, or not measured).</summary>
    public TokenClusterPoint? At(long step) => byStep.GetValueOrDefault(step);
}
