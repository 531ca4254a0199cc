using Transport.Numerics.Flows;
using Transport.Numerics.Flows.Models;
using Transport.Numerics.Geometry;
using Transport.Numerics.Transport;

namespace Transport.Numerics.Tests.Readme;

/// <summary>
/// The README's "Use from C#" example, verbatim between the markers, so that it compiles and runs; then what it claims:
/// S_eps(x, y) &gt; 0 for different clouds, OT_eps = &lt;f, a&gt; + &lt;g, b&gt;, and the flow lowers the divergence.
/// </summary>
public sealed class UseFromCSharpTests
{
    [Fact]
    public async Task The_readme_example_solves_a_problem_and_flows_one_cloud_toward_the_other()
    {
        const int n = 60, m = 50;
        double[] xs = TestData.Points(n, 2, seed: 91), ys = TestData.Points(m, 2, seed: 92, shift: 1.0);

        // README: begin
        var x = PointCloud.Create(xs, n, 2);                                    // row-major n x d, uniform weights
        var y = PointCloud.Create(ys, m, 2);
        var options = new SinkhornOptions { Epsilon = 0.01 };
        var ot = SinkhornSolver.Solve(new SinkhornProblem(x, y), options);      // potentials f, g; cost; map
        var s = SinkhornDivergence.Compute(new SinkhornProblem(x, y), options); // debiased S_eps(x, y)
        var model = new SinkhornDivergenceFlowModel(y, options);                // gradient flow of S_eps(., y)
        var flow = new FlowOptions { Integrator = FlowIntegrator.Euler, Step = 0.25, EndTime = 2 };
        var path = await FlowDriver.RunAsync(new LocalFlowBackend(model, xs, x.Weights, flow), model, flow, null, default);
        Console.WriteLine($"OT_eps {ot.Dual:G6}  <P,C> {ot.TransportCost:G6}  S_eps {s.Value:G6}  final energy {path.Diagnostics[^1].Energy:G6}");
        // README: end

        Assert.True(ot.Converged && s.Converged);
        Assert.True(s.Value > 0);
        var dual = ot.F.Zip(x.Weights.ToArray()).Sum(p => p.First * p.Second) + ot.G.Zip(y.Weights.ToArray()).Sum(p => p.First * p.Second);
        TestData.AssertRelative(dual, ot.Dual, 1e-12, what: "<f, a> + <g, b>");
        Assert.True(path.Diagnostics[^1].Energy < 0.5 * path.Diagnostics[0].Energy, $"energy {path.Diagnostics[0].Energy:G6} -> {path.Diagnostics[^1].Energy:G6}");
    }
}
