using Transport.Numerics.Sampling;
using Transport.Numerics.Transport;
using Xunit.Abstractions;

namespace Transport.Numerics.Tests.Sampling;

/// <summary>FM-4 of math.md: the flow-matching map from a non-isotropic Gaussian source, run through whitening.</summary>
public sealed class GaussianSourceFlowTests(ITestOutputHelper output)
{
    private const double End = 1.0 - 1e-9;

    private static readonly double[,] TargetCovariance = { { 1.0, 0.6 }, { 0.6, 1.0 } };
    private static readonly double[] TargetMean = [1.0, -1.0];

    /// <summary>Source points at which the ODE map is compared with the closed form.</summary>
    private static readonly double[][] Points = [[1.0, 0.0], [0.0, 1.0], [-1.3, 0.4], [2.1, -1.7], [0.0, 0.0]];

    [Theory]
    [InlineData("linear", 0.0, 0.0)]
    [InlineData("trig", 0.0, 0.0)]
    [InlineData("linear", 0.5, -0.3)]
    public void Fm4_ode_map_is_the_closed_form_fm_map_and_costs_more_than_w2(string schedule, double mu1, double mu2)
    {
        double[] sourceMean = [mu1, mu2];
        var sourceCovariance = new[,] { { 2.0, 0.0 }, { 0.0, 0.5 } };
        var fm = FlowMatchingMap(sourceCovariance, TargetCovariance);
        var worst = FlowMapError(schedule, sourceMean, sourceCovariance, fm);

        // Tolerance 1e-7: the run ends at t = 1 - 1e-9, which moves the endpoint by O(1e-9) times the point size,
        // and the solver's own error at rtol = atol = 1e-11 is far below that; 1e-7 leaves two orders of headroom.
        Assert.True(worst < 1e-7, $"max |ODE - closed form| = {worst:E2}");

        // Transport cost of x -> m + T (x - mu0) under x ~ N(mu0, Sigma0): |m - mu0|^2 + tr((T - I) Sigma0 (T - I)^T).
        var w2 = GaussianWasserstein.W2Squared(sourceMean, sourceCovariance, TargetMean, TargetCovariance);
        var brenier = GaussianWasserstein.BrenierMap(sourceCovariance, TargetCovariance);
        var fmCost = Cost(sourceMean, sourceCovariance, fm);
        var otCost = Cost(sourceMean, sourceCovariance, brenier);
        output.WriteLine($"{schedule}: max error {worst:E2}; FM cost {fmCost:R}, Brenier cost {otCost:R}, W2^2 {w2:R}, gap {fmCost - w2:E3}");

        // The Brenier map's cost is W2^2 (a theorem; both sides computed independently): tolerance 1e-10 for
        // rounding in the eigendecomposition-based square roots. This checks the cost formula itself.
        Assert.Equal(w2, otCost, 1e-10);

        // FM != OT for these non-commuting covariances (math.md 2.3a): the gap must be far above rounding (1e-10);
        // 1e-3 is a margin that a coincidence cannot meet.
        Assert.True(fmCost - w2 > 1e-3, $"FM cost {fmCost} does not exceed W2^2 {w2}");
        Assert.True(MaxDifference(fm, brenier) > 1e-3, "the FM and Brenier maps should differ");
    }

    [Fact]
    public void Fm4_commuting_covariances_give_the_brenier_map_and_w2_cost()
    {
        // Same eigenvectors (angle 0.4), different eigenvalues: Sigma0 Sigma1 = Sigma1 Sigma0, neither is diagonal.
        var sourceCovariance = Matrix2.Rotated(0.4, 2.0, 0.5);
        var targetCovariance = Matrix2.Rotated(0.4, 1.0, 3.0);
        double[] sourceMean = [0.2, 0.1];
        var fm = FlowMatchingMap(sourceCovariance, targetCovariance);
        var brenier = GaussianWasserstein.BrenierMap(sourceCovariance, targetCovariance);

        // Closed forms agree to rounding of the square roots (1e-12 relative on entries of size ~1).
        Assert.True(MaxDifference(fm, brenier) < 1e-12, $"closed-form FM and Brenier maps differ by {MaxDifference(fm, brenier):E2}");

        // The ODE map: same 1e-7 tolerance and reason as the non-commuting case.
        var worst = FlowMapError("linear", sourceMean, sourceCovariance, fm, targetCovariance);
        Assert.True(worst < 1e-7, $"max |ODE - closed form| = {worst:E2}");

        // Its cost is W2^2 (1e-10: rounding of the square roots).
        var w2 = GaussianWasserstein.W2Squared(sourceMean, sourceCovariance, TargetMean, targetCovariance);
        Assert.Equal(w2, Cost(sourceMean, sourceCovariance, fm), 1e-10);
    }

    /// <summary>T_1^FM = S0^(1/2) (S0^(-1/2) S1 S0^(-1/2))^(1/2) S0^(-1/2) (math.md 2.3a), in closed-form 2 x 2 algebra.</summary>
    private static double[,] FlowMatchingMap(double[,] sigma0, double[,] sigma1)
    {
        var root = Matrix2.Sqrt(sigma0);
        var inverseRoot = Matrix2.Inverse(root);
        var middle = Matrix2.Sqrt(Matrix2.Multiply(inverseRoot, sigma1, inverseRoot));
        return Matrix2.Multiply(root, middle, inverseRoot);
    }

    /// <summary>Runs the whitened ODE from every point of <see cref="Points"/> and returns the largest deviation from m + T (x0 - mu0).</summary>
    private double FlowMapError(string scheduleName, double[] sourceMean, double[,] sourceCovariance, double[,] map, double[,]? targetCovariance = null)
    {
        var schedule = SamplingTestSupport.Schedule(scheduleName);
        var source = new GaussianSource(sourceMean, sourceCovariance);
        var target = new GaussianTarget(TargetMean, targetCovariance ?? TargetCovariance);
        var sampler = new AdaptiveFlowSampler(new InterpolantField(schedule, source.WhitenTarget(target)), 1e-11, 1e-11);
        var x0 = Points.SelectMany(p => p).ToArray();
        var result = sampler.Sample(source.Whiten(x0), End);
        var x1 = source.Unwhiten(schedule.A(End), result.Particles);
        output.WriteLine($"{scheduleName}: NFE {result.Evaluations}");
        var worst = 0.0;
        for (var i = 0; i < Points.Length; i++)
        {
            var shifted = new[] { Points[i][0] - sourceMean[0], Points[i][1] - sourceMean[1] };
            var image = Matrix2.Apply(map, shifted);
            worst = Math.Max(worst, Math.Abs(x1[2 * i] - (TargetMean[0] + image[0])));
            worst = Math.Max(worst, Math.Abs(x1[(2 * i) + 1] - (TargetMean[1] + image[1])));
        }

        return worst;
    }

    /// <summary>E|m + T (x - mu0) - x|^2 for x ~ N(mu0, Sigma0) = |m - mu0|^2 + tr((T - I) Sigma0 (T - I)^T).</summary>
    private static double Cost(double[] sourceMean, double[,] sigma0, double[,] map)
    {
        var shift = new[] { TargetMean[0] - sourceMean[0], TargetMean[1] - sourceMean[1] };
        var deviation = new[,] { { map[0, 0] - 1.0, map[0, 1] }, { map[1, 0], map[1, 1] - 1.0 } };
        var spread = Matrix2.Trace(Matrix2.Multiply(deviation, sigma0, Matrix2.Transpose(deviation)));
        return (shift[0] * shift[0]) + (shift[1] * shift[1]) + spread;
    }

    private static double MaxDifference(double[,] p, double[,] q)
    {
        var worst = 0.0;
        for (var i = 0; i < 2; i++)
        {
            for (var j = 0; j < 2; j++)
            {
                worst = Math.Max(worst, Math.Abs(p[i, j] - q[i, j]));
            }
        }

        return worst;
    }
}
