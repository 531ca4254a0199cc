using Transport.Numerics.Randomness;
using Transport.Numerics.Sampling;
using Xunit.Abstractions;

namespace Transport.Numerics.Tests.Sampling;

public sealed class EmpiricalTargetTests(ITestOutputHelper output)
{
    private const int Dimension = 3;

    [Theory]
    [InlineData(0.8, 0.3)]
    [InlineData(0.2, 0.9)]
    [InlineData(0.05, 1.0)]
    [InlineData(1.0, 0.0)]
    public void Denoiser_matches_a_brute_force_softmax(double a, double b)
    {
        var (points, weights) = Data(37, seed: 3);
        var x = Particles(11, seed: 4);
        var target = new EmpiricalTarget(points, Dimension, weights);
        var denoised = new double[x.Length];
        target.Denoise(a, b, x, denoised);
        var expected = BruteForce(points, weights, a, b, x);
        for (var i = 0; i < x.Length; i++)
        {
            Assert.True(
                Math.Abs(denoised[i] - expected[i]) <= 1e-12 * Math.Max(1.0, Math.Abs(expected[i])),
                $"entry {i}: {denoised[i]:R} vs {expected[i]:R}");
        }
    }

    [Fact]
    public void Zero_data_coefficient_gives_the_weighted_mean()
    {
        var target = new EmpiricalTarget([-1.0, 1.0, 5.0], 1, [0.25, 0.5, 0.25]);
        var denoised = new double[2];
        target.Denoise(1.0, 0.0, [3.0, -7.0], denoised);
        Assert.Equal(1.5, denoised[0], 1e-15);
        Assert.Equal(1.5, denoised[1], 1e-15);
    }

    [Theory]
    [InlineData(0.5, 0.5)]
    [InlineData(0.02, 0.99)]
    public void Blocks_of_the_data_combine_to_the_same_denoiser(double a, double b)
    {
        var (points, weights) = Data(1000, seed: 5);
        var x = Particles(25, seed: 6);
        var reference = new double[x.Length];
        EmpiricalTarget.DenoiseInBlocks(points, Dimension, weights, 1, a, b, x, reference);
        var whole = new double[x.Length];
        new EmpiricalTarget(points, Dimension, weights).Denoise(a, b, x, whole);
        foreach (var blocks in new[] { 4, 8 })
        {
            var denoised = new double[x.Length];
            EmpiricalTarget.DenoiseInBlocks(points, Dimension, weights, blocks, a, b, x, denoised);
            for (var i = 0; i < x.Length; i++)
            {
                Assert.True(
                    Math.Abs(denoised[i] - reference[i]) <= 1e-12 * Math.Max(1.0, Math.Abs(reference[i])),
                    $"{blocks} blocks, entry {i}: {denoised[i]:R} vs {reference[i]:R}");
                Assert.Equal(reference[i], whole[i], 1e-13);
            }
        }
    }

    [Theory]
    [InlineData(-0.5, 0.5)]
    [InlineData(0.0, 0.9)]
    [InlineData(1.3, 0.99)]
    public void Fm1_two_atom_empirical_target_agrees_with_the_discrete_target(double x, double t)
    {
        var schedule = new LinearSchedule();
        var empirical = new InterpolantField(schedule, new EmpiricalTarget([-1.0, 1.0], 1, [0.3, 0.7]));
        var discrete = new InterpolantField(schedule, new DiscreteTarget([[-1.0], [1.0]], [0.3, 0.7]));
        var v1 = new double[1];
        var v2 = new double[1];
        empirical.Velocity(t, [x], v1);
        discrete.Velocity(t, [x], v2);
        Assert.Equal(v2[0], v1[0], 1e-12);

        // Spot value of math.md FM-1 and the split at Phi^-1(0.3) = -0.5244005.
        empirical.Velocity(0.5, [0.0], v1);
        Assert.Equal(0.8, v1[0], 1e-12);
        var result = new FlowSampler(empirical, SamplerMethod.Rk4).Sample([-0.53, -0.52], 20000, 1.0 - 1e-6);
        Assert.Equal(-0.99999652, result.Particles[0], 1e-7);
        Assert.Equal(0.99999615, result.Particles[1], 1e-7);
    }

    [Fact]
    public void Samples_memorise_the_data_with_the_data_weights()
    {
        // Four points in the plane; Gaussian noise transported to 1 - delta lands on the atoms.
        double[] points = [1.0, 1.0, -1.0, 1.0, -1.0, -1.0, 1.0, -1.0];
        double[] weights = [0.1, 0.2, 0.3, 0.4];
        const int n = 4000;
        var source = new double[2 * n];
        CounterRandom.FillNormals(seed: 11, firstId: 0, step: 0, stage: 0, dimension: 2, source);
        var field = new InterpolantField(new LinearSchedule(), new EmpiricalTarget(points, 2, weights));
        var result = new FlowSampler(field, SamplerMethod.Rk4).Sample(source, 200, 1.0 - 1e-5);

        var counts = new int[4];
        var worst = 0.0;
        for (var i = 0; i < n; i++)
        {
            var best = double.PositiveInfinity;
            var nearest = -1;
            for (var j = 0; j < 4; j++)
            {
                var dx = result.Particles[2 * i] - points[2 * j];
                var dy = result.Particles[(2 * i) + 1] - points[(2 * j) + 1];
                var distance = Math.Sqrt((dx * dx) + (dy * dy));
                if (distance < best)
                {
                    best = distance;
                    nearest = j;
                }
            }

            worst = Math.Max(worst, best);
            counts[nearest]++;
        }

        output.WriteLine($"largest distance to the data {worst:E3}; counts {string.Join(", ", counts)}");
        Assert.True(worst < 1e-3, $"a sample is {worst} from every data point");
        for (var j = 0; j < 4; j++)
        {
            var fraction = counts[j] / (double)n;
            var sigma = Math.Sqrt(weights[j] * (1.0 - weights[j]) / n);
            Assert.True(Math.Abs(fraction - weights[j]) <= 4.0 * sigma, $"point {j}: fraction {fraction} vs weight {weights[j]}");
        }
    }

    [Fact]
    public void Bad_data_are_rejected_with_the_field_named()
    {
        Assert.Equal("points", Assert.Throws<InvalidInputException>(() => new EmpiricalTarget([], 2)).Field);
        Assert.Equal("points", Assert.Throws<InvalidInputException>(() => new EmpiricalTarget([1.0, 2.0, 3.0], 2)).Field);
        Assert.Equal("points[1]", Assert.Throws<InvalidInputException>(() => new EmpiricalTarget([1.0, 2.0, double.NaN, 0.0], 2)).Field);
        Assert.Equal("dimension", Assert.Throws<InvalidInputException>(() => new EmpiricalTarget([1.0], 0)).Field);
        Assert.Equal("weights", Assert.Throws<InvalidInputException>(() => new EmpiricalTarget([1.0, 2.0], 1, [1.0])).Field);
        Assert.Equal("weights[1]", Assert.Throws<InvalidInputException>(() => new EmpiricalTarget([1.0, 2.0], 1, [1.0, -1.0])).Field);
        Assert.Equal("blocks", Assert.Throws<InvalidInputException>(
            () => EmpiricalTarget.DenoiseInBlocks([1.0, 2.0], 1, null, 3, 1.0, 0.5, [0.0], new double[1])).Field);
    }

    private static (double[] Points, double[] Weights) Data(int count, long seed)
    {
        var points = new double[count * Dimension];
        CounterRandom.FillNormals(seed, 0, 0, 0, Dimension, points);
        var weights = new double[count];
        for (var j = 0; j < count; j++)
        {
            weights[j] = 0.1 + CounterRandom.Uniform(seed, j, 1, 0, 0);
        }

        return (points, weights);
    }

    private static double[] Particles(int count, long seed)
    {
        var x = new double[count * Dimension];
        CounterRandom.FillNormals(seed, 0, 0, 0, Dimension, x);
        return x;
    }

    private static double[] BruteForce(double[] points, double[] weights, double a, double b, double[] x)
    {
        var count = weights.Length;
        var total = weights.Sum();
        var result = new double[x.Length];
        var logits = new double[count];
        for (var i = 0; i < x.Length / Dimension; i++)
        {
            var max = double.NegativeInfinity;
            for (var j = 0; j < count; j++)
            {
                var squared = 0.0;
                for (var k = 0; k < Dimension; k++)
                {
                    var r = x[(i * Dimension) + k] - (b * points[(j * Dimension) + k]);
                    squared += r * r;
                }

                logits[j] = Math.Log(weights[j] / total) - (squared / (2.0 * a * a));
                max = Math.Max(max, logits[j]);
            }

            var z = 0.0;
            for (var j = 0; j < count; j++)
            {
                var p = Math.Exp(logits[j] - max);
                z += p;
                for (var k = 0; k < Dimension; k++)
                {
                    result[(i * Dimension) + k] += p * points[(j * Dimension) + k];
                }
            }

            for (var k = 0; k < Dimension; k++)
            {
                result[(i * Dimension) + k] /= z;
            }
        }

        return result;
    }
}
