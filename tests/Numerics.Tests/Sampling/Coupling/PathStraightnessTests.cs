using Transport.Numerics.Randomness;
using Transport.Numerics.Sampling;
using Transport.Numerics.Sampling.Coupling;
using Xunit.Abstractions;

namespace Transport.Numerics.Tests.Sampling.Coupling;

/// <summary>Path straightness: the Cauchy-Schwarz ratio and the OT-coupling property of the coupled-pairs flow.</summary>
public sealed class PathStraightnessTests(ITestOutputHelper output)
{
    [Fact]
    public void Straight_constant_speed_paths_have_ratio_one()
    {
        // x(t) = x0 + t h has |v|^2 = |h|^2 for the whole unit interval: K = D exactly, ratio 1 (1e-15).
        double[] start = [0.0, 0.0, 1.0, 1.0];
        double[] end = [3.0, 4.0, 1.0, 2.0];
        var report = PathStraightness.Compute(start, end, 2, kineticEnergySum: 25.0 + 1.0);

        Assert.Equal(13.0, report.Displacement, 1e-15);
        Assert.Equal(13.0, report.KineticEnergy, 1e-15);
        Assert.Equal(1.0, report.Ratio, 1e-15);
    }

    [Fact]
    public void Optimal_pairing_gives_straighter_and_shorter_paths_than_independent_pairing()
    {
        // Source: 64 standard normals in 2-D; target: two blobs N((+-3, 0), 0.3^2 I). Both couplings use the same
        // points; the field (sigma = 0.1, S-lin) is integrated by RK4 from each x0_k.
        // Theorem-level properties checked:
        //  * OT minimises E|x1 - x0|^2 over pairings (the assignment cost is at most the random pairing's);
        //  * for every flow K >= D (Cauchy-Schwarz), ratio >= 1 up to the quadrature error (1e-6 with 400 steps);
        //  * OT pairs move along straight lines that do not meet at equal times (cyclical monotonicity), so the
        //    coupled flow barely deviates: its ratio is below 1.01; independent pairs cross, particles switch pairs
        //    at crossings and the paths bend, so the ratio and the displacement are both larger.
        const int n = 64, d = 2, steps = 400;
        const double sigma = 0.1;
        var source = new double[n * d];
        var target = new double[n * d];
        CounterRandom.FillNormals(101, 0, 0, 0, d, source);
        CounterRandom.FillNormals(102, 0, 0, 0, d, target);
        for (var i = 0; i < n; i++)
        {
            target[i * d] = (0.3 * target[i * d]) + (i % 2 == 0 ? 3.0 : -3.0);
            target[(i * d) + 1] *= 0.3;
        }

        var random = Enumerable.Range(0, n).ToArray();
        new Random(7).Shuffle(random);
        var optimal = ExactAssignment.Solve(source, target, d);
        Assert.True(ExactAssignment.TotalCost(source, target, d, optimal) <= ExactAssignment.TotalCost(source, target, d, random));

        var independent = Straightness(source, target, random, d, sigma, steps);
        var coupled = Straightness(source, target, optimal, d, sigma, steps);
        output.WriteLine($"independent: D = {independent.Displacement:F4}, K = {independent.KineticEnergy:F4}, ratio = {independent.Ratio:F4}");
        output.WriteLine($"optimal:     D = {coupled.Displacement:F4}, K = {coupled.KineticEnergy:F4}, ratio = {coupled.Ratio:F4}");

        Assert.True(independent.Ratio >= 1 - 1e-6 && coupled.Ratio >= 1 - 1e-6);
        Assert.True(coupled.Ratio < 1.01, $"OT-coupled ratio {coupled.Ratio}");
        Assert.True(coupled.Ratio < independent.Ratio);
        Assert.True(coupled.Displacement < independent.Displacement);
    }

    [Fact]
    public void Rejects_a_negative_kinetic_energy()
    {
        var error = Assert.Throws<InvalidInputException>(() => PathStraightness.Compute([0.0], [1.0], 1, -1.0));
        Assert.Equal("kinetic-energy", error.Field);
    }

    private static PathStraightness Straightness(double[] source, double[] target, int[] pairing, int d, double sigma, int steps)
    {
        var n = pairing.Length;
        var partners = new double[n * d];
        for (var i = 0; i < n; i++)
        {
            Array.Copy(target, pairing[i] * d, partners, i * d, d);
        }

        var field = new CoupledPairsField(source, partners, d, sigma, new LinearSchedule());
        var end = CoupledPairsFieldTests.Rk4(field, (double[])source.Clone(), steps, out var kinetic);
        return PathStraightness.Compute(source, end, d, kinetic);
    }
}
