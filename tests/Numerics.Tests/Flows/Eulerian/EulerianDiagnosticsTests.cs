using Transport.Numerics.Flows;
using Transport.Numerics.Flows.Eulerian;
using Transport.Numerics.Flows.Models;

namespace Transport.Numerics.Tests.Flows.Eulerian;

/// <summary>
/// The Eulerian partials against direct evaluation written here (moments, test functions and their fluxes, mass per
/// cell, the kernel density without its 4 h cut), their additivity across blocks, the continuity residual on the exact
/// flow of a quadratic potential (x(t) = c + (x0 - c) e^-t: O(h^2) with its own velocity, O(1) with another), and a
/// driver run whose rows' moments equal the snapshots' and whose action is the closed form.
/// </summary>
public sealed class EulerianDiagnosticsTests
{
    [Theory]
    [InlineData(2, new[] { 0, 1 })]
    [InlineData(3, new[] { 2, 0 })]
    [InlineData(1, new[] { 0 })]
    public void A_partial_equals_the_direct_sums(int d, int[] axes)
    {
        const int n = 300;
        var random = new Random(5);
        var x = Enumerable.Range(0, n * d).Select(_ => (random.NextDouble() * 3) - 1).ToArray();
        var v = Enumerable.Range(0, n * d).Select(_ => random.NextDouble() - 0.5).ToArray();
        var a = Enumerable.Range(0, n).Select(_ => random.NextDouble() / n).ToArray();
        var options = new EulerianOptions { Grid = 20, Axes = axes, Lower = [.. axes.Select(_ => -1.2)], Upper = [.. axes.Select(_ => 2.1)], Modes = 5, Seed = 7 };
        var layout = new EulerianLayout(options, d);
        const double g2 = 0.3;

        var partial = new double[layout.Length];
        EulerianPartial.Accumulate(layout, x, a, v, g2, partial);

        // Moments.
        Close(a.Sum(), partial[0], "mass");
        var index = 1 + d;
        for (var k = 0; k < d; k++)
        {
            Close(Enumerable.Range(0, n).Sum(i => a[i] * x[(i * d) + k]), partial[1 + k], $"first moment {k}");
            for (var l = k; l < d; l++)
            {
                Close(Enumerable.Range(0, n).Sum(i => a[i] * x[(i * d) + k] * x[(i * d) + l]), partial[index++], $"second moment {k}{l}");
            }
        }

        // Test functions: phi = cos(w.x + theta), flux = grad phi . v + (g^2 / 2) lap phi.
        for (var m = 0; m < options.Modes; m++)
        {
            double phi = 0, flux = 0;
            var w = layout.Frequencies.AsSpan(m * d, d).ToArray();
            for (var i = 0; i < n; i++)
            {
                var s = layout.Phases[m] + Enumerable.Range(0, d).Sum(k => w[k] * x[(i * d) + k]);
                phi += a[i] * Math.Cos(s);
                flux += a[i] * ((-Math.Sin(s) * Enumerable.Range(0, d).Sum(k => w[k] * v[(i * d) + k])) - (0.5 * g2 * w.Sum(c => c * c) * Math.Cos(s)));
            }

            Close(phi, partial[layout.PhiOffset + m], $"phi {m}");
            Close(flux, partial[layout.FluxOffset + m], $"flux {m}");
        }

        // The grid: cells by comparing with their edges, the density as the full Gaussian sum.
        var grid = options.Grid;
        var h = options.EffectiveBandwidth;
        var maxDensity = 0.0;
        var expectedDensity = new double[layout.Cells];
        for (var c = 0; c < layout.Cells; c++)
        {
            var (c0, c1) = axes.Length == 2 ? (c / grid, c % grid) : (c, 0);
            var width0 = (options.Upper[0] - options.Lower[0]) / grid;
            var width1 = axes.Length == 2 ? (options.Upper[1] - options.Lower[1]) / grid : 0;
            double mass = 0, density = 0;
            for (var i = 0; i < n; i++)
            {
                var p0 = x[(i * d) + axes[0]];
                var p1 = axes.Length == 2 ? x[(i * d) + axes[1]] : 0;
                var inside0 = p0 >= options.Lower[0] + (c0 * width0) && p0 < options.Lower[0] + ((c0 + 1) * width0);
                var inside1 = axes.Length == 1 || (p1 >= options.Lower[1] + (c1 * width1) && p1 < options.Lower[1] + ((c1 + 1) * width1));
                mass += inside0 && inside1 ? a[i] : 0;
                var u0 = (options.Lower[0] + ((c0 + 0.5) * width0) - p0) / h;
                var u1 = axes.Length == 2 ? (options.Lower[1] + ((c1 + 0.5) * width1) - p1) / h : 0;
                var norm = axes.Length == 2 ? 1 / (2 * Math.PI * h * h) : 1 / (Math.Sqrt(2 * Math.PI) * h);
                density += a[i] * norm * Math.Exp(-0.5 * ((u0 * u0) + (u1 * u1)));
            }

            Close(mass, partial[layout.HistogramOffset + c], $"histogram cell {c}");
            expectedDensity[c] = density;
            maxDensity = Math.Max(maxDensity, density);
        }

        for (var c = 0; c < layout.Cells; c++)
        {
            // The cut at 4 h drops at most exp(-8) = 3.4e-4 of each particle's peak contribution.
            Assert.True(Math.Abs(expectedDensity[c] - partial[layout.DensityOffset + c]) <= 4e-4 * maxDensity, $"density cell {c}: {expectedDensity[c]} vs {partial[layout.DensityOffset + c]}");
        }
    }

    [Fact]
    public void Partials_of_blocks_add_up_to_the_whole()
    {
        const int n = 200, d = 2;
        var random = new Random(9);
        var x = Enumerable.Range(0, n * d).Select(_ => random.NextDouble()).ToArray();
        var v = Enumerable.Range(0, n * d).Select(_ => random.NextDouble() - 0.5).ToArray();
        var a = Enumerable.Range(0, n).Select(_ => 1.0 / n).ToArray();
        var layout = new EulerianLayout(new EulerianOptions { Grid = 16, Lower = [0, 0], Upper = [1, 1] }, d);
        var whole = new double[layout.Length];
        EulerianPartial.Accumulate(layout, x, a, v, 0, whole);

        var first = new double[layout.Length];
        var second = new double[layout.Length];
        EulerianPartial.Accumulate(layout, x.AsSpan(0, 77 * d), a.AsSpan(0, 77), v.AsSpan(0, 77 * d), 0, first);
        EulerianPartial.Accumulate(layout, x.AsSpan(77 * d), a.AsSpan(77), v.AsSpan(77 * d), 0, second);
        var sum = new FlowStageMeasure(0, 0, first).Add(new FlowStageMeasure(0, 0, second)).Eulerian!;

        for (var k = 0; k < layout.Length; k++)
        {
            Assert.True(Math.Abs(whole[k] - sum[k]) <= 1e-12 * Math.Max(1, Math.Abs(whole[k])), $"value {k}");
        }
    }

    [Fact]
    public void The_continuity_residual_is_second_order_for_the_true_velocity_and_order_one_for_another()
    {
        var (consistent, _) = ExactQuadraticFlow(0.05, velocityFactor: 1);
        var (finer, _) = ExactQuadraticFlow(0.025, velocityFactor: 1);
        var (wrong, _) = ExactQuadraticFlow(0.05, velocityFactor: 2);

        Assert.True(consistent < 1e-2, $"consistent: {consistent}");
        var ratio = consistent / finer;
        Assert.True(ratio is > 3.5 and < 4.5, $"halving h divided the residual by {ratio}, not about 4 (trapezoid rule: O(h^2))");
        Assert.True(wrong > 0.2, $"a velocity twice the true one left a residual of only {wrong}");
    }

    [Fact]
    public async Task A_driver_run_records_the_snapshots_moments_and_its_action_is_the_closed_form()
    {
        const int n = 400, d = 2;
        var random = new Random(3);
        var start = Enumerable.Range(0, n * d).Select(_ => random.NextDouble() - 0.5).ToArray();
        double[] center = [1, -0.5];
        var model = PotentialFlowModel.Quadratic(1.0, center);
        var eulerian = new EulerianOptions { Grid = 24, Lower = [-1, -1], Upper = [1.5, 1], Modes = 8 };
        var options = new FlowOptions { Integrator = FlowIntegrator.Rk4, Step = 0.02, EndTime = 1, SnapshotEvery = 5, Eulerian = eulerian };

        var trajectory = await FlowDriver.RunAsync(new LocalFlowBackend(model, start, [], options, 3), model, options, null, CancellationToken.None);

        var layout = new EulerianLayout(eulerian, d);
        foreach (var snapshot in trajectory.Snapshots)
        {
            var row = trajectory.Diagnostics.Single(r => r.Step == snapshot.Step);
            Assert.Equal(layout.Length, row.Eulerian!.Length);
            for (var k = 0; k < d; k++)
            {
                var mean = Enumerable.Range(0, n).Sum(i => snapshot.Positions[(i * d) + k]) / n;
                Assert.Equal(mean, row.Eulerian[1 + k], 12);
            }

            Assert.Equal(1.0, row.Eulerian.AsSpan(layout.HistogramOffset, layout.Cells).ToArray().Sum(), 12);
        }

        // Rows between snapshots keep the moments and test functions only.
        Assert.All(trajectory.Diagnostics.Where(r => r.Step % 5 != 0 && r != trajectory.Diagnostics[^1]), r => Assert.Equal(layout.HistogramOffset, r.Eulerian!.Length));

        // v = -(x - c): sum a |v|^2 = K0 e^{-2t}, so the action to T is K0 (1 - e^{-2T}) / 2; the trapezoid rule with
        // h = 0.02 errs by h^2 / 12 x (4 K0) x T / 2 relative, about 1e-4.
        var k0 = Enumerable.Range(0, n).Sum(i => Enumerable.Range(0, d).Sum(k => Math.Pow(start[(i * d) + k] - center[k], 2))) / n;
        var rows = trajectory.Diagnostics;
        TestData.AssertRelative(k0 * (1 - Math.Exp(-2)) / 2, trajectory.Action(), 3e-4, 0, "action");
        var phi = rows.SelectMany(r => r.Eulerian!.AsSpan(layout.PhiOffset, eulerian.Modes).ToArray()).ToArray();
        var flux = rows.SelectMany(r => r.Eulerian!.AsSpan(layout.FluxOffset, eulerian.Modes).ToArray()).ToArray();
        var (_, relative, _) = ContinuityResidual.Compute([.. rows.Select(r => r.Time)], phi, flux, eulerian.Modes);
        Assert.True(relative < 1e-3, $"the run's own velocities leave a residual of {relative}");
    }

    /// <summary>The relative residual of the exact flow x(t) = c + (x0 - c) e^-t to t = 1, measured with v = -factor (x - c).</summary>
    private static (double Relative, double Scale) ExactQuadraticFlow(double h, double velocityFactor)
    {
        const int n = 500, d = 2;
        var random = new Random(11);
        var x0 = Enumerable.Range(0, n * d).Select(_ => (random.NextDouble() * 2) - 1).ToArray();
        double[] c = [0.5, -0.25];
        var a = Enumerable.Range(0, n).Select(_ => 1.0 / n).ToArray();
        var layout = new EulerianLayout(new EulerianOptions { Grid = 8, Lower = [-1, -1], Upper = [1, 1], Modes = 12, Seed = 2 }, d);
        var steps = (int)Math.Round(1 / h);
        var times = new List<double>();
        var phi = new List<double>();
        var flux = new List<double>();
        for (var s = 0; s <= steps; s++)
        {
            var t = s * h;
            var x = new double[n * d];
            var v = new double[n * d];
            for (var i = 0; i < n * d; i++)
            {
                x[i] = c[i % d] + ((x0[i] - c[i % d]) * Math.Exp(-t));
                v[i] = -velocityFactor * (x[i] - c[i % d]);
            }

            var partial = new double[layout.Length];
            EulerianPartial.Accumulate(layout, x, a, v, 0, partial);
            times.Add(t);
            phi.AddRange(partial.AsSpan(layout.PhiOffset, 12).ToArray());
            flux.AddRange(partial.AsSpan(layout.FluxOffset, 12).ToArray());
        }

        var (_, relative, scale) = ContinuityResidual.Compute(times, phi.ToArray(), flux.ToArray(), 12);
        return (relative, scale);
    }

    private static void Close(double expected, double actual, string what) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-12 * Math.Max(1, Math.Abs(expected)), $"{what}: expected {expected:R}, got {actual:R}");
}
