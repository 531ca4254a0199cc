using Transport.Numerics.Sampling;
using Transport.Numerics.Sampling.Coupling;
using Xunit.Abstractions;

namespace Transport.Numerics.Tests.Sampling.Coupling;

public sealed class OtCouplingTests(ITestOutputHelper output)
{
    private const int Dimension = 2;

    [Fact]
    public void Exact_and_sinkhorn_couplings_pay_less_than_the_independent_one()
    {
        // 300 noise points against 300 draws of a two-blob mixture. The exact assignment is optimal among
        // permutations, so its cost is at most the independent pairing's; the entropic barycentric pairing at blur
        // 0.01 x diameter pays the exact cost up to O(epsilon) and averaging (checked within 3%).
        const int count = 300;
        var sources = OtCoupling.DrawSources(seed: 1, count, Dimension);
        var targets = Blobs(count);
        var independent = OtCoupling.Independent(sources, targets, Dimension);
        var exact = OtCoupling.Exact(sources, targets, Dimension);
        var sinkhorn = OtCoupling.Sinkhorn(sources, targets, Dimension);
        var permutation = ExactAssignment.Solve(sources, targets, Dimension);
        output.WriteLine($"E|x1-x0|^2: independent {independent.MeanSquaredDisplacement():F4}, exact {exact.MeanSquaredDisplacement():F4}, sinkhorn {sinkhorn.MeanSquaredDisplacement():F4}");
        Assert.Equal(ExactAssignment.TotalCost(sources, targets, Dimension, permutation) / count, exact.MeanSquaredDisplacement(), 1e-9);
        Assert.True(exact.MeanSquaredDisplacement() < 0.7 * independent.MeanSquaredDisplacement());
        Assert.Equal(exact.MeanSquaredDisplacement(), sinkhorn.MeanSquaredDisplacement(), 0.03 * exact.MeanSquaredDisplacement());
        Assert.Equal(sources, exact.Sources);
    }

    [Fact]
    public void Ot_pairs_give_straighter_paths_and_smaller_euler_error_for_fresh_noise()
    {
        // The coupled interpolant of OT pairs has nearly straight paths, so fresh noise particles are transported with
        // a kinetic energy close to their displacement (ratio -> 1) and a few Euler steps already land near the exact
        // flow map (the adaptive solver at 1e-9); independent pairs cross, bend the paths and need more steps.
        const int pairs = 400;
        var sources = OtCoupling.DrawSources(seed: 2, pairs, Dimension);
        var targets = Blobs(pairs);
        var particles = new double[Dimension * 200];
        SourceNoise.Fill(seed: 3, firstId: 0, Dimension, particles);
        var schedule = new LinearSchedule();
        (double Ratio, double Error) Measure(CouplingPairs coupling)
        {
            var field = new CoupledPairsField(coupling.Sources, coupling.Targets, Dimension, sigma: 0.1, schedule);
            var reference = LocalSampling.Run(field, new SamplingOptions { Sampler = SamplerKind.Adaptive, End = 1.0 - 1e-9, RelativeTolerance = 1e-9, AbsoluteTolerance = 1e-11 }, particles);
            var options = new SamplingOptions { Sampler = SamplerKind.Euler, Steps = 4, End = 1.0 - 1e-9 };
            var backend = new LocalSamplingBackend(field, options, particles);
            var report = SamplingDriver.RunAsync(backend, options, schedule).GetAwaiter().GetResult();
            var euler = backend.Positions();
            var rk4 = LocalSampling.Run(field, new SamplingOptions { Sampler = SamplerKind.Rk4, Steps = 64, End = 1.0 - 1e-9 }, particles);
            var kinetic = KineticOfRk4(field, particles);
            var straightness = PathStraightness.Compute(particles, rk4.Particles, Dimension, kinetic * (particles.Length / Dimension));
            return (straightness.Ratio, Rms(euler, reference.Particles));
        }

        var independent = Measure(OtCoupling.Independent(sources, targets, Dimension));
        var exact = Measure(OtCoupling.Exact(sources, targets, Dimension));
        output.WriteLine($"independent: kinetic/displacement {independent.Ratio:F4}, Euler-4 error {independent.Error:E3}");
        output.WriteLine($"exact OT:    kinetic/displacement {exact.Ratio:F4}, Euler-4 error {exact.Error:E3}");
        Assert.True(exact.Ratio >= 1.0 - 1e-6 && independent.Ratio >= 1.0 - 1e-6);
        Assert.True(exact.Ratio < independent.Ratio);
        Assert.True(exact.Error < 0.5 * independent.Error);
    }

    [Fact]
    public void Bad_batches_name_the_field()
    {
        Assert.Equal("coupling-targets", Assert.Throws<InvalidInputException>(() => OtCoupling.Exact([0.0, 1.0], [0.0, 1.0, 2.0, 3.0], 2)).Field);
        Assert.Equal("coupling-pairs", Assert.Throws<InvalidInputException>(() => OtCoupling.DrawSources(1, 0, 2)).Field);
        Assert.Equal("coupling-blur", Assert.Throws<InvalidInputException>(() => OtCoupling.Epsilon([0.0], [1.0], 1, -1)).Field);
    }

    private static double KineticOfRk4(CoupledPairsField field, double[] particles)
    {
        var options = new SamplingOptions { Sampler = SamplerKind.Rk4, Steps = 64, End = 1.0 - 1e-9 };
        var backend = new LocalSamplingBackend(field, options, particles);
        return SamplingDriver.RunAsync(backend, options, field.Schedule).GetAwaiter().GetResult().KineticEnergy;
    }

    private static double[] Blobs(int count)
    {
        double[,] covariance = { { 0.05, 0.0 }, { 0.0, 0.05 } };
        return TargetSamples.Mixture([0.5, 0.5], [[-2.0, 1.0], [2.0, -1.0]], [covariance, covariance], count, seed: 7);
    }

    private static double Rms(double[] x, double[] y)
    {
        var sum = 0.0;
        for (var i = 0; i < x.Length; i++)
        {
            sum += (x[i] - y[i]) * (x[i] - y[i]);
        }

        return Math.Sqrt(sum / (x.Length / Dimension));
    }
}
