using Transport.Numerics.Flows;

namespace Transport.Numerics.Tests.Flows;

/// <summary>
/// Tiny fixed-step integrators over <see cref="LocalFlowStage"/> (the engine's integrators are tested
/// elsewhere) and the block-splitting check shared by the model tests.
/// </summary>
internal static class GradientFlowTestSupport
{
    public static double[] Velocity(IFlowModel model, ParticleBlock block, double time)
    {
        var v = new double[block.PositionArray.Length];
        LocalFlowStage.Velocity(model, block, time, v);
        return v;
    }

    public static void EulerStep(IFlowModel model, ParticleBlock block, double time, double h)
    {
        var v = Velocity(model, block, time);
        var x = block.PositionArray;
        for (var q = 0; q < x.Length; q++)
        {
            x[q] += h * v[q];
        }
    }

    public static void Rk4Step(IFlowModel model, ParticleBlock block, double time, double h)
    {
        var x = block.PositionArray;
        var x0 = (double[])x.Clone();
        var k1 = Velocity(model, block, time);
        Set(x, x0, k1, 0.5 * h);
        var k2 = Velocity(model, block, time + (0.5 * h));
        Set(x, x0, k2, 0.5 * h);
        var k3 = Velocity(model, block, time + (0.5 * h));
        Set(x, x0, k3, h);
        var k4 = Velocity(model, block, time + h);
        for (var q = 0; q < x.Length; q++)
        {
            x[q] = x0[q] + (h / 6 * (k1[q] + (2 * k2[q]) + (2 * k3[q]) + k4[q]));
        }
    }

    /// <summary>sum_i a_i |v_i|^2.</summary>
    public static double Kinetic(ParticleBlock block, double[] velocity)
    {
        var d = block.Dimension;
        var sum = 0.0;
        for (var i = 0; i < block.Count; i++)
        {
            var norm = 0.0;
            for (var k = 0; k < d; k++)
            {
                norm += velocity[(i * d) + k] * velocity[(i * d) + k];
            }

            sum += block.Weights[i] * norm;
        }

        return sum;
    }

    /// <summary>
    /// Splits the particles into contiguous blocks of the given sizes, adds their partial sums in block
    /// order and checks them against the single-block sums; then asks every block for its velocities and
    /// energy share with the single-block globals (the same combined globals a coordinator would
    /// broadcast) and checks them against the single-block answers to <paramref name="tolerance"/>
    /// (relative to max(1, |value|)).
    /// </summary>
    public static void AssertSplitInvariance(IFlowModel model, double[] positions, double[] weights, int[] sizes, double tolerance)
    {
        var d = model.Dimension;
        var full = new ParticleBlock((double[])positions.Clone(), (double[])weights.Clone(), d, 0);
        var globals = LocalFlowStage.Globals(model, full, 0.25);
        var fullVelocity = new double[positions.Length];
        model.Velocity(full, globals, fullVelocity);
        var fullEnergy = LocalFlowStage.Energy(model, full, globals);

        Assert.Equal(weights.Length, sizes.Sum());
        var combined = new double[model.PartialLength];
        var splitVelocity = new double[positions.Length];
        var energy = model.GlobalEnergy(globals);
        var start = 0;
        foreach (var size in sizes)
        {
            var block = new ParticleBlock(
                positions.AsSpan(start * d, size * d).ToArray(),
                weights.AsSpan(start, size).ToArray(),
                d,
                start);
            var partial = new double[model.PartialLength];
            model.AccumulatePartials(0.25, block, partial);
            for (var q = 0; q < partial.Length; q++)
            {
                combined[q] += partial[q];
            }

            model.Velocity(block, globals, splitVelocity.AsSpan(start * d, size * d));
            energy += model.EnergyShare(block, globals);
            start += size;
        }

        var sums = globals.Sums.Span;
        for (var q = 0; q < combined.Length; q++)
        {
            TestData.AssertRelative(sums[q], combined[q], tolerance, what: $"partial sum {q}");
        }

        for (var q = 0; q < positions.Length; q++)
        {
            TestData.AssertRelative(fullVelocity[q], splitVelocity[q], tolerance, what: $"velocity {q}");
        }

        TestData.AssertRelative(fullEnergy, energy, tolerance, what: "energy");
    }

    /// <summary>Uniform weights 1/n.</summary>
    public static double[] Uniform(int n)
    {
        var w = new double[n];
        Array.Fill(w, 1.0 / n);
        return w;
    }

    /// <summary>Weights normalised to sum to one.</summary>
    public static double[] Normalised(double[] raw)
    {
        var total = raw.Sum();
        return raw.Select(w => w / total).ToArray();
    }

    private static void Set(double[] x, double[] x0, double[] k, double h)
    {
        for (var q = 0; q < x.Length; q++)
        {
            x[q] = x0[q] + (h * k[q]);
        }
    }
}
