using MathNet.Numerics.LinearAlgebra;
using Xunit.Abstractions;
using Transport.Numerics.Flows;
using Transport.Numerics.Flows.Eulerian;
using Transport.Numerics.Flows.Models;

namespace Transport.Numerics.Tests.Flows.Eulerian;

/// <summary>
/// math.md V1.1: N(0, I_2) moved to N(0, diag(4, 1)) by the linear interpolant's flow-matching field and by that field
/// plus the divergence-free w_t = S Sigma_t^-1 x. The same particles, two velocity fields: (1) the Eulerian snapshots
/// agree within Monte Carlo error (the covariances with Sigma_t; the histograms no further apart than a fresh sample's),
/// (2) the particle paths differ (the end maps are math.md's T_1 = diag(2, 1) and the non-symmetric one), and (3) the
/// rotated field spends more action (2.28761 against 4.64381).
/// </summary>
public sealed class SameDensityDifferentVelocitiesTests(ITestOutputHelper log)
{
    private const int N = 20_000;

    [Fact]
    public async Task Two_velocity_fields_move_one_density_path_with_different_paths_and_actions()
    {
        var start = Normal(N, seed: 1);
        var plain = await RunAsync(start, rotation: 0);
        var rotated = await RunAsync(start, rotation: 1);

        // (2) Particle maps: x(1) = T_1 x(0), T_1 from math.md V1.1 (RK4 with h = 0.01 is exact to 1e-8 here).
        double[,] plainMap = { { 2, 0 }, { 0, 1 } };
        double[,] rotatedMap = { { 0.945728, 1.762271 }, { -0.881135, 0.472864 } };
        AssertLinearMap(start, plain.FinalPositions, plainMap, 1e-6);
        AssertLinearMap(start, rotated.FinalPositions, rotatedMap, 2e-6);
        var moved = Enumerable.Range(0, N).Average(i => Math.Sqrt(Square(plain.FinalPositions[2 * i] - rotated.FinalPositions[2 * i]) + Square(plain.FinalPositions[(2 * i) + 1] - rotated.FinalPositions[(2 * i) + 1])));
        Assert.True(moved > 0.5, $"the particles' end points differ by {moved} on average");

        // (1) Eulerian snapshots: the covariance from the measured moments is Sigma_t = (1 - t)^2 I + t^2 Sigma1 for both
        // fields, within the sampling error of a covariance from N points (5 sqrt(2 / N) of its scale).
        var layout = new EulerianLayout(Options(), 2);
        var model = new GaussianInterpolantFlowModel(new double[,] { { 4, 0 }, { 0, 1 } }, 0);
        foreach (var trajectory in new[] { plain, rotated })
        {
            foreach (var row in trajectory.Diagnostics.Where(r => r.Eulerian!.Length == layout.Length))
            {
                var sigma = model.Covariance(row.Time);
                var covariance = Covariance(row.Eulerian!);
                for (var k = 0; k < 4; k++)
                {
                    var (a, b) = (k / 2, k % 2);
                    var tolerance = 5 * Math.Sqrt(2.0 / N) * Math.Sqrt(sigma[a, a] * sigma[b, b]);
                    Assert.True(Math.Abs(covariance[a, b] - sigma[a, b]) <= tolerance, $"t = {row.Time}: covariance [{a}, {b}] {covariance[a, b]} vs Sigma_t {sigma[a, b]}");
                }
            }
        }

        // The histograms of the two runs at t = 1 are no further apart (L1) than one of them from a fresh sample of the
        // target: the difference is sampling noise, not a different density.
        var final = rotated.Diagnostics[^1].Eulerian!.AsSpan(layout.HistogramOffset, layout.Cells).ToArray();
        var finalPlain = plain.Diagnostics[^1].Eulerian!.AsSpan(layout.HistogramOffset, layout.Cells).ToArray();
        var fresh = Histogram(layout, Normal(N, seed: 2).Select((v, i) => i % 2 == 0 ? 2 * v : v).ToArray());
        var between = L1(final, finalPlain);
        var noise = L1(finalPlain, fresh);
        log.WriteLine($"end points moved {moved:G4} on average; histogram L1 between the runs {between:G4}, to a fresh sample {noise:G4}; actions {plain.Action():G6} and {rotated.Action():G6}");
        Assert.True(between <= 1.5 * noise, $"the runs' histograms differ by {between} in L1, a fresh sample by {noise}");

        // (3) Action: int sum a |v|^2 dt = 2.28761 for the flow-matching field, 4.64381 with the rotation (math.md), to the
        // sampling error of N points (1%) and the trapezoid rule over h = 0.01.
        TestData.AssertRelative(2.28761, plain.Action(), 0.03, 0, "action of the flow-matching field");
        TestData.AssertRelative(4.64381, rotated.Action(), 0.03, 0, "action with the rotation");
    }

    private static EulerianOptions Options() => new() { Grid = 12, Lower = [-6, -3], Upper = [6, 3], Modes = 4 };

    private static async Task<FlowTrajectory> RunAsync(double[] start, double rotation)
    {
        var model = new GaussianInterpolantFlowModel(new double[,] { { 4, 0 }, { 0, 1 } }, rotation);
        var options = new FlowOptions { Integrator = FlowIntegrator.Rk4, Step = 0.01, EndTime = 1, SnapshotEvery = 25, Eulerian = Options() };
        return await FlowDriver.RunAsync(new LocalFlowBackend(model, start, [], options, 2), model, options, null, CancellationToken.None);
    }

    private static double[] Normal(int n, int seed)
    {
        var random = new Random(seed);
        var values = new double[2 * n];
        for (var k = 0; k < values.Length; k++)
        {
            values[k] = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        }

        return values;
    }

    private static void AssertLinearMap(double[] start, double[] end, double[,] map, double tolerance)
    {
        for (var i = 0; i < N; i++)
        {
            for (var k = 0; k < 2; k++)
            {
                var expected = (map[k, 0] * start[2 * i]) + (map[k, 1] * start[(2 * i) + 1]);
                Assert.True(Math.Abs(expected - end[(2 * i) + k]) <= tolerance * (1 + Math.Abs(start[2 * i]) + Math.Abs(start[(2 * i) + 1])), $"particle {i}, coordinate {k}: {end[(2 * i) + k]} vs {expected}");
            }
        }
    }

    /// <summary>The covariance from the moments: E[x x^T] - E[x] E[x]^T (layout: mass, x1, x2, x1 x1, x1 x2, x2 x2).</summary>
    private static Matrix<double> Covariance(double[] sums)
    {
        var (mass, m1, m2) = (sums[0], sums[1] / sums[0], sums[2] / sums[0]);
        var c11 = (sums[3] / mass) - (m1 * m1);
        var c12 = (sums[4] / mass) - (m1 * m2);
        var c22 = (sums[5] / mass) - (m2 * m2);
        return Matrix<double>.Build.DenseOfArray(new double[,] { { c11, c12 }, { c12, c22 } });
    }

    private static double[] Histogram(EulerianLayout layout, double[] positions)
    {
        var partial = new double[layout.Length];
        var weights = Enumerable.Repeat(1.0 / N, N).ToArray();
        EulerianPartial.Accumulate(layout, positions, weights, new double[positions.Length], 0, partial);
        return partial.AsSpan(layout.HistogramOffset, layout.Cells).ToArray();
    }

    private static double L1(double[] a, double[] b) => a.Zip(b).Sum(p => Math.Abs(p.First - p.Second));

    private static double Square(double x) => x * x;
}
