using Transport.Numerics.Randomness;
using Transport.Numerics.Sampling;
using Xunit.Abstractions;

namespace Transport.Numerics.Tests.Sampling;

/// <summary>GaussianSource: validation, the whitening maps, counter-based draws and an atom-reproduction run.</summary>
public sealed class GaussianSourceTests(ITestOutputHelper output)
{
    private static readonly double[] Mean = [0.5, -0.3];
    private static readonly double[,] Covariance = { { 2.0, 0.6 }, { 0.6, 0.5 } };

    [Fact]
    public void Bad_sources_are_rejected_naming_the_field()
    {
        Field(GaussianSource.CovarianceField, () => new GaussianSource([0.0, 0.0], new[,] { { 1.0, 2.0 }, { 2.0, 1.0 } }));
        Field(GaussianSource.CovarianceField, () => new GaussianSource([0.0, 0.0], new[,] { { 1.0, 0.0 }, { 0.0, 0.0 } }));
        Field(GaussianSource.CovarianceField, () => new GaussianSource([0.0, 0.0], new[,] { { double.NaN, 0.0 }, { 0.0, 1.0 } }));
        Field(GaussianSource.CovarianceField, () => new GaussianSource(null, new[,] { { 1.0, 0.0 }, { 0.0, double.PositiveInfinity } }));
        Field(GaussianSource.CovarianceField, () => new GaussianSource([0.0, 0.0], new[,] { { 1.0, 0.5 }, { 0.2, 1.0 } }));
        Field(GaussianSource.CovarianceField, () => new GaussianSource([0.0, 0.0], new[,] { { 1.0, 0.0, 0.0 }, { 0.0, 1.0, 0.0 }, { 0.0, 0.0, 1.0 } }));
        Field(GaussianSource.CovarianceField, () => new GaussianSource(null, new[,] { { 1.0, 0.0, 0.0 }, { 0.0, 1.0, 0.0 } }));
        Field(GaussianSource.CovarianceField, () => new GaussianSource(null, null));
        Field(GaussianSource.MeanField, () => new GaussianSource([0.0, double.NaN], Covariance));
        Field(GaussianSource.MeanField, () => new GaussianSource([], null));
        Field("dimension", () => GaussianSource.Standard(0));

        var source = new GaussianSource(Mean, Covariance);
        Field("target", () => source.WhitenTarget(new PointMassTarget([1.0, 2.0, 3.0])));
        Field("particles", () => source.Whiten([1.0, 2.0, 3.0]));
        Field("particles", () => source.Unwhiten(0.5, []));
        Field("a", () => source.Unwhiten(double.NaN, [1.0, 2.0]));
        Field("count", () => source.Draw(1, 0, 0));
    }

    [Fact]
    public void Whitening_uses_the_cholesky_factor_and_unwhitening_inverts_it()
    {
        // Closed-form 2 x 2 Cholesky factor: L = [[sqrt(s11), 0], [s21 / sqrt(s11), sqrt(s22 - s21^2 / s11)]].
        var l11 = Math.Sqrt(Covariance[0, 0]);
        var l21 = Covariance[1, 0] / l11;
        var l22 = Math.Sqrt(Covariance[1, 1] - (l21 * l21));
        var source = new GaussianSource(Mean, Covariance);
        double[] y = [0.7, -1.2, 2.0, 0.3];
        const double a = 0.35;
        var x = source.Unwhiten(a, y);
        for (var p = 0; p < 2; p++)
        {
            // Tolerance 1e-14: a handful of products of size ~2.
            Assert.Equal((a * Mean[0]) + (l11 * y[2 * p]), x[2 * p], 1e-14);
            Assert.Equal((a * Mean[1]) + (l21 * y[2 * p]) + (l22 * y[(2 * p) + 1]), x[(2 * p) + 1], 1e-14);
        }

        var back = source.Whiten(a, x);
        for (var i = 0; i < y.Length; i++)
        {
            Assert.Equal(y[i], back[i], 1e-14);
        }

        var standard = GaussianSource.Standard(2);
        Assert.Equal(y, standard.Whiten(y));
        Assert.Equal(y, standard.Unwhiten(0.4, y));
    }

    [Fact]
    public void Draws_are_counter_based_and_have_the_source_moments()
    {
        var source = new GaussianSource(Mean, Covariance);

        // The whitened draw is exactly the counter stream (up to the forward/back substitution rounding, 1e-13).
        var draw = source.Draw(seed: 7, firstId: 100, count: 50);
        var normals = new double[100];
        CounterRandom.FillNormals(7, 100, GaussianSource.SourceStream, 0, 2, normals);
        var whitened = source.Whiten(draw);
        for (var i = 0; i < normals.Length; i++)
        {
            Assert.Equal(normals[i], whitened[i], 1e-13);
        }

        // A particle's draw does not depend on the block it is drawn in: bitwise equal.
        Assert.Equal(draw.AsSpan(20).ToArray(), source.Draw(7, 110, 40));

        // Moments of 40,000 draws: the standard error of a mean entry is sqrt(s_ii / n) <= 0.0071 and of a
        // covariance entry sqrt((s_ii s_jj + s_ij^2) / n) <= 0.011; 5 standard errors: 0.036 and 0.055.
        const int n = 40_000;
        var sample = source.Draw(11, 0, n);
        var mean = new double[2];
        for (var i = 0; i < n; i++)
        {
            mean[0] += sample[2 * i] / n;
            mean[1] += sample[(2 * i) + 1] / n;
        }

        var covariance = new double[2, 2];
        for (var i = 0; i < n; i++)
        {
            for (var r = 0; r < 2; r++)
            {
                for (var c = 0; c < 2; c++)
                {
                    covariance[r, c] += (sample[(2 * i) + r] - mean[r]) * (sample[(2 * i) + c] - mean[c]) / (n - 1);
                }
            }
        }

        output.WriteLine($"mean ({mean[0]:F4}, {mean[1]:F4}), covariance [[{covariance[0, 0]:F4}, {covariance[0, 1]:F4}], [{covariance[1, 0]:F4}, {covariance[1, 1]:F4}]]");
        Assert.Equal(Mean[0], mean[0], 0.036);
        Assert.Equal(Mean[1], mean[1], 0.036);
        Assert.Equal(Covariance[0, 0], covariance[0, 0], 0.055);
        Assert.Equal(Covariance[0, 1], covariance[0, 1], 0.055);
        Assert.Equal(Covariance[1, 1], covariance[1, 1], 0.055);
    }

    [Fact]
    public void Whitened_flow_from_a_non_standard_source_lands_on_the_atoms()
    {
        // Theorem (math.md 2.3c): the exact field of an atomic target reproduces the atoms at t = 1. Run to
        // t = 1 - 1e-6 from a non-standard source: in whitened coordinates Y = b y' + a eps with eps = E[z | Y] of
        // size ~3, so after unwhitening a particle is within ~1e-6 (|L| |eps| + |y|) < 1e-4 of its atom.
        double[][] atoms = [[-1.0, 2.0], [1.5, 0.5], [0.0, -2.0]];
        var target = new DiscreteTarget(atoms, [0.2, 0.5, 0.3]);
        var source = new GaussianSource(Mean, Covariance);
        var schedule = new LinearSchedule();
        const double end = 1.0 - 1e-6;
        var sampler = new AdaptiveFlowSampler(new InterpolantField(schedule, source.WhitenTarget(target)), 1e-8, 1e-8);
        var x0 = source.Draw(3, 0, 64);
        var result = sampler.Sample(source.Whiten(x0), end);
        var x1 = source.Unwhiten(schedule.A(end), result.Particles);
        var worst = 0.0;
        for (var i = 0; i < 64; i++)
        {
            var nearest = atoms.Min(y => Math.Max(Math.Abs(x1[2 * i] - y[0]), Math.Abs(x1[(2 * i) + 1] - y[1])));
            worst = Math.Max(worst, nearest);
        }

        output.WriteLine($"largest distance to the nearest atom {worst:E2}, NFE {result.Evaluations}");
        Assert.True(worst < 1e-4, $"a particle ends {worst:E2} away from every atom");
    }

    private static void Field(string field, Func<object> create)
    {
        var error = Assert.Throws<InvalidInputException>(create);
        Assert.Equal(field, error.Field);
        Assert.StartsWith(field + ":", error.Message, StringComparison.Ordinal);
    }
}
