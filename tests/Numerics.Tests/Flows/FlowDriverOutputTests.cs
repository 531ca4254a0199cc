using Transport.Numerics.Flows;

namespace Transport.Numerics.Tests.Flows;

public sealed class FlowDriverOutputTests
{
    private static readonly double[] Start = [1.0, 0.0, 0.0, 2.0, -1.0, 1.0];

    [Fact]
    public async Task Snapshots_every_k_steps_plus_initial_and_final()
    {
        var model = new LinearModel(0.5, 1.0);
        var rows = new List<FlowStepDiagnostics>();
        var options = new FlowOptions { Integrator = FlowIntegrator.Heun, Step = 0.1, EndTime = 1.0, SnapshotEvery = 3 };
        var trajectory = await FlowRuns.RunAsync(model, Start, options, progress: rows.Add);

        Assert.Equal(10, trajectory.Steps);
        Assert.Equal([0L, 3, 6, 9, 10], trajectory.Snapshots.Select(s => s.Step));
        Assert.Equal(1.0, trajectory.Snapshots[^1].Time);
        Assert.Equal(0.3, trajectory.Snapshots[1].Time, 1e-15);
        Assert.Equal(Start, trajectory.Snapshots[0].Positions);
        Assert.Equal(3, trajectory.Count);
        Assert.Equal(2, trajectory.Dimension);
        var array = trajectory.SnapshotArray();
        Assert.Equal(5 * 3 * 2, array.Length);
        Assert.Equal(trajectory.FinalPositions, array.AsSpan(4 * 6, 6).ToArray());

        Assert.Equal(11, trajectory.Diagnostics.Count);
        Assert.Equal(trajectory.Diagnostics, rows);
        Assert.Equal(Enumerable.Range(0, 11).Select(i => (long)i), trajectory.Diagnostics.Select(d => d.Step));
        Assert.All(trajectory.Diagnostics.Take(10), d => Assert.Equal(0.1, d.StepSize));
        Assert.Equal(0.0, trajectory.Diagnostics[^1].StepSize);
        Assert.All(trajectory.Diagnostics, d => Assert.True(double.IsNaN(d.Energy)));

        // Kinetic energy of the initial state: sum_i (1/3) |A x_i|^2 = (1/3) (0.25 + 1) sum |x_i|^2.
        Assert.Equal(1.25 * (1 + 4 + 2) / 3, trajectory.Diagnostics[0].KineticEnergy, 1e-14);
    }

    [Fact]
    public async Task Last_step_is_shortened_to_reach_t_end()
    {
        var model = new LinearModel(0.5, 1.0);
        var options = new FlowOptions { Integrator = FlowIntegrator.Rk4, Step = 0.1, EndTime = 0.25 };
        var trajectory = await FlowRuns.RunAsync(model, Start, options);
        Assert.Equal(3, trajectory.Steps);
        Assert.Equal(0.05, trajectory.Diagnostics[2].StepSize, 1e-15);
        Assert.Equal(0.25, trajectory.FinalTime);
        var (x, y) = model.Exact(1.0, 0.0, 0.25);
        Assert.Equal(x, trajectory.FinalPositions[0], 1e-6);
        Assert.Equal(y, trajectory.FinalPositions[1], 1e-6);
    }

    [Fact]
    public async Task Zero_end_time_gives_one_snapshot_and_one_row()
    {
        var model = new LinearModel(0.5, 1.0);
        foreach (var integrator in Enum.GetValues<FlowIntegrator>())
        {
            var trajectory = await FlowRuns.RunAsync(model, Start, new FlowOptions { Integrator = integrator, Step = 0.1, EndTime = 0 });
            Assert.Single(trajectory.Snapshots);
            Assert.Single(trajectory.Diagnostics);
            Assert.Equal(0, trajectory.Steps);
            Assert.Equal(Start, trajectory.FinalPositions);
        }
    }

    [Fact]
    public async Task Energy_and_kinetic_energy_are_reported_on_every_row()
    {
        // The pair model has an energy (kernel share per block plus a global variance term).
        var model = new PairModel(0.0);
        var trajectory = await FlowRuns.RunAsync(model, FlowRuns.Gaussian(20, 2, 3), new FlowOptions { Integrator = FlowIntegrator.Rk4, Step = 0.05, EndTime = 0.5 });
        Assert.All(trajectory.Diagnostics, d => Assert.True(double.IsFinite(d.Energy)));
        Assert.All(trajectory.Diagnostics, d => Assert.True(d.KineticEnergy > 0));
    }

    [Fact]
    public async Task The_callers_arrays_are_not_modified()
    {
        var model = new LinearModel(0.5, 1.0);
        var start = (double[])Start.Clone();
        await FlowRuns.RunAsync(model, start, new FlowOptions { Step = 0.1, EndTime = 1 });
        Assert.Equal(Start, start);
    }

    [Fact]
    public async Task Cancellation_stops_the_run()
    {
        var model = new LinearModel(0.5, 1.0);
        var options = new FlowOptions { Step = 0.1, EndTime = 1 };
        using var source = new CancellationTokenSource();
        await source.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            FlowDriver.RunAsync(new LocalFlowBackend(model, Start, [], options), model, options, null, source.Token));
    }
}
