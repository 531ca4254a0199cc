using Transport.Numerics.Flows.Models;
using static Transport.Numerics.Tests.Flows.AttentionTestSupport;

namespace Transport.Numerics.Tests.Flows;

/// <summary>
/// Attention dynamics on the sphere (math.md 6.2, TR-1 to TR-3), integrated by the test's own RK4 with
/// renormalisation after each step over LocalFlowStage.Velocity.
/// </summary>
public sealed class AttentionDynamicsTests
{
    /// <summary>TR-1: theta' of the two-token angle, USA and SA.</summary>
    private static double AngleRate(AttentionVariant variant, double beta, double theta) =>
        variant == AttentionVariant.USA
            ? -Math.Exp(beta * Math.Cos(theta)) * Math.Sin(theta)
            : -2 * Math.Exp(beta * Math.Cos(theta)) * Math.Sin(theta) / (Math.Exp(beta) + Math.Exp(beta * Math.Cos(theta)));

    /// <summary>Scalar RK4 of the angle ODE with 10^5 steps (error far below 1e-12).</summary>
    private static double ScalarAngle(AttentionVariant variant, double beta, double theta0, double time)
    {
        const int steps = 100_000;
        var h = time / steps;
        var theta = theta0;
        for (var s = 0; s < steps; s++)
        {
            var k1 = AngleRate(variant, beta, theta);
            var k2 = AngleRate(variant, beta, theta + (0.5 * h * k1));
            var k3 = AngleRate(variant, beta, theta + (0.5 * h * k2));
            var k4 = AngleRate(variant, beta, theta + (h * k3));
            theta += h / 6 * (k1 + (2 * k2) + (2 * k3) + k4);
        }

        return theta;
    }

    private static double TwoTokenAngle(AttentionVariant variant, double beta, int d)
    {
        // Two orthogonal unit tokens (theta(0) = pi/2), equal weights, RK4 with h = 1e-3 to t = 1.
        var x = new double[2 * d];
        x[0] = 1;
        x[d + 1] = 1;
        var model = new SelfAttentionSphereModel(d, variant, beta);
        Rk4(model, x, Uniform(2), d, 1e-3, 1000, renormalise: true);
        return Math.Acos(Math.Clamp(Dot(x, 0, x, 1, d), -1, 1));
    }

    [Theory]
    [InlineData(AttentionVariant.SA, 2)]
    [InlineData(AttentionVariant.USA, 2)]
    [InlineData(AttentionVariant.SA, 3)]
    [InlineData(AttentionVariant.USA, 3)]
    public void TwoTokensAtBetaZeroFollowTheClosedForm(AttentionVariant variant, int d)
    {
        // theta(t) = 2 arctan(tan(theta0/2) e^{-t}); theta(1) = 0.70502684 (math.md TR-1). Tolerance 1e-9.
        var closedForm = 2 * Math.Atan(Math.Exp(-1));
        Assert.Equal(0.70502684, closedForm, 8);
        TestData.AssertRelative(closedForm, TwoTokenAngle(variant, 0.0, d), 1e-9, what: $"{variant} theta(1)");
    }

    [Theory]
    [InlineData(AttentionVariant.SA, 1.0)]
    [InlineData(AttentionVariant.USA, 1.0)]
    [InlineData(AttentionVariant.SA, 4.0)]
    [InlineData(AttentionVariant.USA, 4.0)]
    public void TwoTokensFollowTheScalarAngleOde(AttentionVariant variant, double beta)
    {
        // Truth: the scalar angle ODE of TR-1 by RK4 with 1e5 steps. Tolerance 1e-9 (particle RK4 error ~ h^4).
        var expected = ScalarAngle(variant, beta, Math.PI / 2, 1.0);
        TestData.AssertRelative(expected, TwoTokenAngle(variant, beta, 3), 1e-9, what: $"{variant} beta {beta} theta(1)");
    }

    [Theory]
    [InlineData(AttentionVariant.SA)]
    [InlineData(AttentionVariant.USA)]
    public void EnergyIsNonDecreasingAndReachesConsensus(AttentionVariant variant)
    {
        // TR-2: n = 32, d = 3, beta = 1, RK4 h = 0.02 to t = 30; E(t_{k+1}) >= E(t_k) - 1e-12, and the
        // limit is full consensus with E = e/2 (to 1e-9) and min <x_i, x_j> = 1 (to 1e-9).
        const int n = 32;
        const int d = 3;
        const double beta = 1.0;
        var x = UniformSphere(n, d, seed: 2024);
        var a = Uniform(n);
        var model = new SelfAttentionSphereModel(d, variant, beta, maxDegreeOfParallelism: 1);
        var previous = Energy(model, x, a, d);
        var initial = previous;
        var worstDrop = 0.0;
        Rk4(model, x, a, d, 0.02, 1500, renormalise: true, (_, positions) =>
        {
            var energy = Energy(model, positions, a, d);
            worstDrop = Math.Max(worstDrop, previous - energy);
            previous = energy;
        });

        Assert.True(worstDrop <= 1e-12, $"{variant}: energy dropped by {worstDrop:E3}");
        Assert.True(initial < 1.0, $"{variant}: random start should be far from consensus (E = {initial})");
        TestData.AssertRelative(Math.E / 2, previous, 1e-9, what: $"{variant} final energy");
        Assert.True(MinPairwise(x, d) > 1 - 1e-9, $"{variant}: min <x_i, x_j> = {MinPairwise(x, d)}");
    }

    [Fact]
    public void HemisphereInitialisationCollapses()
    {
        // TR-3: n = 64, d = 3, beta = 5, SA, tokens in {x_3 > 0}, RK4 h = 0.05 to t = 20: min_i <w, x_i>
        // never decreases (slack 1e-12) and the tokens collapse (min <x_i, x_j> > 1 - 1e-9 at t = 20).
        const int n = 64;
        const int d = 3;
        var x = UniformSphere(n, d, seed: 77, upperHalf: true);
        var a = Uniform(n);
        var model = new SelfAttentionSphereModel(d, AttentionVariant.SA, 5.0, maxDegreeOfParallelism: 1);
        static double MinHeight(double[] positions)
        {
            var min = double.PositiveInfinity;
            for (var i = 0; i < positions.Length / d; i++)
            {
                min = Math.Min(min, positions[(i * d) + d - 1]);
            }

            return min;
        }

        var previous = MinHeight(x);
        Assert.True(previous > 0);
        var worstDrop = 0.0;
        var atTen = double.NaN;
        Rk4(model, x, a, d, 0.05, 400, renormalise: true, (step, positions) =>
        {
            var height = MinHeight(positions);
            worstDrop = Math.Max(worstDrop, previous - height);
            previous = height;
            if (step == 200)
            {
                atTen = MinPairwise(positions, d);
            }
        });

        Assert.True(worstDrop <= 1e-12, $"min <w, x_i> dropped by {worstDrop:E3}");
        var final = MinPairwise(x, d);
        Assert.True(final > 1 - 1e-9, $"min <x_i, x_j> at t = 20: {final} (t = 10: {atTen})");
        Assert.True(final >= atTen);
        Assert.Equal(1, TokenClusters.Count(x, d, 1e-3));
    }
}
