using Transport.Numerics.Flows;

namespace Transport.Numerics.Tests.Flows;

public sealed class SphereFlowTests
{
    [Theory]
    [InlineData(FlowIntegrator.Euler, FlowSphereStep.Renormalise)]
    [InlineData(FlowIntegrator.Euler, FlowSphereStep.ExponentialMap)]
    [InlineData(FlowIntegrator.Heun, FlowSphereStep.Renormalise)]
    [InlineData(FlowIntegrator.Rk4, FlowSphereStep.Renormalise)]
    [InlineData(FlowIntegrator.Adaptive, FlowSphereStep.Renormalise)]
    public async Task Steps_keep_particles_on_the_unit_sphere(FlowIntegrator integrator, FlowSphereStep sphereStep)
    {
        var model = new SphereModel(1.0, [0.0, 0.6, 0.8]);
        var start = UnitVectors(30, 4);
        var options = new FlowOptions { Integrator = integrator, SphereStep = sphereStep, Step = 0.05, EndTime = 3, SnapshotEvery = 5 };
        var trajectory = await FlowRuns.RunAsync(model, start, options);
        foreach (var snapshot in trajectory.Snapshots)
        {
            for (var i = 0; i < 30; i++)
            {
                var p = snapshot.Positions.AsSpan(3 * i, 3);
                Assert.Equal(1.0, Math.Sqrt((p[0] * p[0]) + (p[1] * p[1]) + (p[2] * p[2])), 1e-14);
            }
        }

        // The pull towards p = (0, 0.6, 0.8) makes particles climb: the mean of <x, p> increases.
        double Alignment(double[] x) => Enumerable.Range(0, 30).Average(i => (0.6 * x[(3 * i) + 1]) + (0.8 * x[(3 * i) + 2]));
        Assert.True(Alignment(trajectory.FinalPositions) > Alignment(start) + 0.2);
    }

    [Fact]
    public async Task Exponential_map_euler_is_exact_for_a_rotation_along_great_circles()
    {
        // Particles on the equator rotating about z: v = S x is tangent with constant speed, and the
        // geodesic step cos(h|v|) x + sin(h|v|) v/|v| is the exact rotation by angle h.
        var model = new SphereModel(1.0, [0.0, 0.0, 0.0]);
        double[] start = [1, 0, 0, 0, 1, 0, Math.Sqrt(0.5), -Math.Sqrt(0.5), 0];
        var exp = new FlowOptions { Integrator = FlowIntegrator.Euler, SphereStep = FlowSphereStep.ExponentialMap, Step = 0.1, EndTime = 2 };
        var renormalised = exp with { SphereStep = FlowSphereStep.Renormalise };
        var a = await FlowRuns.RunAsync(model, start, exp);
        var b = await FlowRuns.RunAsync(model, start, renormalised);
        var (sin, cos) = Math.SinCos(2.0);
        double ExpError(double[] x) => Enumerable.Range(0, 3).Max(i =>
        {
            var ex = (cos * start[3 * i]) - (sin * start[(3 * i) + 1]);
            var ey = (sin * start[3 * i]) + (cos * start[(3 * i) + 1]);
            return Math.Max(Math.Abs(x[3 * i] - ex), Math.Abs(x[(3 * i) + 1] - ey));
        });
        Assert.True(ExpError(a.FinalPositions) < 1e-12, $"exp-map error {ExpError(a.FinalPositions)}");
        Assert.True(ExpError(b.FinalPositions) > 1e-4, "renormalised Euler lags the rotation");
    }

    [Fact]
    public async Task Kinetic_energy_uses_the_tangent_velocity()
    {
        // v = p = e_z at the north pole has no tangent part.
        var model = new SphereModel(0.0, [0.0, 0.0, 1.0]);
        var trajectory = await FlowRuns.RunAsync(model, [0.0, 0.0, 1.0], new FlowOptions { Integrator = FlowIntegrator.Euler, Step = 0.1, EndTime = 0.1 });
        Assert.Equal(0.0, trajectory.Diagnostics[0].KineticEnergy, 1e-30);
        Assert.Equal([0.0, 0.0, 1.0], trajectory.FinalPositions);
    }

    private static double[] UnitVectors(int count, int seed)
    {
        var x = FlowRuns.Gaussian(count, 3, seed);
        for (var i = 0; i < count; i++)
        {
            var norm = Math.Sqrt((x[3 * i] * x[3 * i]) + (x[(3 * i) + 1] * x[(3 * i) + 1]) + (x[(3 * i) + 2] * x[(3 * i) + 2]));
            for (var c = 0; c < 3; c++)
            {
                x[(3 * i) + c] /= norm;
            }
        }

        return x;
    }
}
