using Transport.Bench;

namespace Transport.Grains.Tests;

/// <summary>
/// The arithmetic of <c>bench scale-out</c> (bench/ScaleOutModel.cs): the latency-bandwidth fit recovers known c, alpha
/// and beta from synthetic runs, the non-negative fit clamps a negative coefficient, the traffic fit recovers a, b and k,
/// and both scaling efficiencies are 1 when communication is free.
/// </summary>
public sealed class ScaleOutModelTests
{
    private const double C = 6e-10;
    private const double Alpha = 40e-6;
    private const double Beta = 2e-9;

    [Fact]
    public void The_fit_recovers_c_alpha_and_beta_from_synthetic_runs()
    {
        var runs = SyntheticRuns((run, messages, bytes) => (C * run) + (Alpha * messages) + (Beta * bytes));
        var reference = runs.Single(r => r.Cluster == "embedded" && r.Size == 8000 && r.Shards == 1);

        var fit = ScaleOutFit.LatencyBandwidth(runs, reference, "synthetic");

        Assert.Equal(C, fit.SecondsPerEvaluation, C * 1e-9);
        Assert.Equal(Alpha, fit.Network.SecondsPerMessage, Alpha * 1e-9);
        Assert.Equal(Beta, fit.Network.SecondsPerByte, Beta * 1e-9);
        Assert.Equal(runs.Count(r => r.Cluster == "embedded") - 1, fit.Points);
        Assert.Equal(1, fit.RSquared, 9);
        Assert.True(fit.RmsResidualSeconds < 1e-12, $"rms residual {fit.RmsResidualSeconds}");
        Assert.All(runs, r => Assert.Equal(r.SecondsPerIteration, fit.Predict(r), r.SecondsPerIteration * 1e-9));
    }

    [Fact]
    public void A_negative_byte_cost_is_fitted_as_zero()
    {
        // Time that falls with the bytes: the unconstrained fit would make beta negative.
        var runs = SyntheticRuns((run, messages, bytes) => (C * run) + (Alpha * messages) - (Beta * bytes));
        var reference = runs.Single(r => r.Cluster == "embedded" && r.Size == 8000 && r.Shards == 1);

        var fit = ScaleOutFit.LatencyBandwidth(runs, reference, "synthetic");

        Assert.Equal(0, fit.Network.SecondsPerByte);
        Assert.True(fit.Network.SecondsPerMessage >= 0);
        Assert.True(fit.SecondsPerEvaluation > 0);
    }

    [Fact]
    public void Non_negative_least_squares_is_exact_on_a_two_column_system()
    {
        double[] x1 = [1, 2, 3, 4];
        double[] x2 = [1, -1, 2, 0.5];
        var y = x1.Zip(x2, (a, b) => (3 * a) + (0.5 * b)).ToArray();
        var (a, b) = ScaleOutFit.NonNegativeLeastSquares(x1, x2, y);
        Assert.Equal(3, a, 12);
        Assert.Equal(0.5, b, 12);

        var negative = x1.Zip(x2, (p, q) => (3 * p) - (2 * q)).ToArray();
        var (a0, b0) = ScaleOutFit.NonNegativeLeastSquares(x1, x2, negative);
        Assert.Equal(0, b0);
        Assert.Equal(negative.Zip(x1, (v, p) => v * p).Sum() / x1.Sum(p => p * p), a0, 12);
    }

    [Fact]
    public void The_traffic_fit_recovers_messages_a_plus_b_s_and_bytes_k_n()
    {
        var runs = SyntheticRuns((run, messages, bytes) => C * run, bytesPerMessage: 0);
        var traffic = ScaleOutFit.Traffic(runs, rowsPerChunk: 1 << 20);

        Assert.Equal(1.5, traffic.MessagesIntercept, 9);
        Assert.Equal(1, traffic.MessagesPerPartnerChunk, 9);
        Assert.Equal(8, traffic.BytesPerPoint, 9);
        Assert.Equal(1.5 + 16, traffic.Messages(5_000_000, 16), 9);

        // 2.5 million rows per shard: each pull from a partner shard takes 3 calls.
        Assert.Equal(1.5 + (16 * 3), traffic.Messages(40_000_000, 16), 9);
    }

    [Theory]
    [InlineData(1e6)]
    [InlineData(1e7)]
    public void Both_efficiencies_are_1_when_communication_is_free(double size)
    {
        var model = new ScaleOutModel(C, 2, new TrafficFit(1.5, 1, 8, 1 << 20));
        foreach (var silos in new[] { 16, 64, 256 })
        {
            Assert.Equal(1, model.StrongEfficiency(NetworkCost.Free, size, silos), 12);
            Assert.Equal(1, model.WeakEfficiency(NetworkCost.Free, size, silos), 12);
            Assert.True(model.StrongEfficiency(NetworkCost.Datacenter, size, silos) < 1);
        }

        Assert.Equal(2 * size, ScaleOutModel.WeakSize(size, 64), 6);
    }

    [Fact]
    public void The_remote_fit_recovers_what_leaving_the_process_adds()
    {
        const double AlphaNet = 300e-6, BetaNet = 5e-9;
        var runs = SyntheticRuns((run, messages, bytes) => (C * run) + (Alpha * messages) + (Beta * bytes), remote: (messages, bytes) => (AlphaNet * messages) + (BetaNet * bytes));
        var reference = runs.Single(r => r.Cluster == "embedded" && r.Size == 8000 && r.Shards == 1);

        var fit = ScaleOutFit.LatencyBandwidth(runs, reference, "synthetic") with { Remote = ScaleOutFit.Remote(runs, "embedded", "synthetic remote") };

        Assert.Equal(Alpha, fit.Network.SecondsPerMessage, Alpha * 1e-9);
        var remote = Assert.IsType<RemoteFit>(fit.Remote);
        Assert.Equal(2, remote.Points);
        Assert.Equal(AlphaNet, remote.Network.SecondsPerMessage, AlphaNet * 1e-6);
        Assert.Equal(BetaNet, remote.Network.SecondsPerByte, BetaNet * 1e-6);
        Assert.All(runs, r => Assert.Equal(r.SecondsPerIteration, fit.Predict(r, remote: r.Cluster != "embedded"), r.SecondsPerIteration * 1e-9));
        Assert.Null(ScaleOutFit.Remote([.. runs.Where(r => r.Cluster == "embedded")], "embedded", "none"));
    }

    /// <summary>
    /// The runs of a default <c>bench scale-out</c> (embedded S = 1, 2, 3, 4, 6, 8, 16 at N = 8000 and 4000, 3 processes with S = 3, 6),
    /// with 2 N^2 kernel evaluations, 1.5 + S messages and 8 N bytes per shard per iteration plus
    /// <paramref name="bytesPerMessage"/>, and the seconds <paramref name="time"/> gives (plus <paramref name="remote"/> for a process run).
    /// </summary>
    private static List<ScaleOutRun> SyntheticRuns(Func<double, double, double, double> time, double bytesPerMessage = 16, Func<double, double, double>? remote = null)
    {
        var runs = new List<ScaleOutRun>();
        void Add(string cluster, int size, int shards)
        {
            var evaluations = 2.0 * size * size;
            var messages = 1.5 + shards;
            var bytes = (8.0 * size) + (bytesPerMessage * messages);
            var extra = cluster == "embedded" || remote is null ? 0 : remote(messages, bytes);
            runs.Add(new ScaleOutRun(cluster, size, shards, time(evaluations, messages, bytes) + extra, evaluations, messages, bytes));
        }

        foreach (var size in new[] { 8000, 4000 })
        {
            foreach (var shards in new[] { 1, 2, 3, 4, 6, 8, 16 })
            {
                Add("embedded", size, shards);
            }
        }

        Add("3 processes", 8000, 3);
        Add("3 processes", 8000, 6);
        return runs;
    }
}
