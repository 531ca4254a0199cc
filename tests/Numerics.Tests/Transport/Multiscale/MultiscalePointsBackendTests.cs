using Transport.Numerics.Geometry;
using Transport.Numerics.Transport;
using Transport.Numerics.Transport.Multiscale;
using Xunit.Abstractions;

namespace Transport.Numerics.Tests.Transport.Multiscale;

/// <summary>
/// The seam between the multiscale run and the work on the points: the in-process backend is the synchronous
/// solver bit for bit, and a backend that splits the rows into shards (as the cluster does, with compact key sets
/// and only the partner ranges' potentials) gives the same answer up to the summation order of the partials.
/// </summary>
public sealed class MultiscalePointsBackendTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Async_solve_with_the_local_backend_equals_the_synchronous_solve_bitwise()
    {
        var problem = MultiscaleTestProblems.Random(1500, 1300, 2, seed: 41);
        var options = new SinkhornOptions { Epsilon = MultiscaleTestProblems.EpsilonForBlur(problem, 0.03, CostFunction.SquaredEuclidean), Tolerance = 1e-7 };
        var multiscale = new MultiscaleOptions { Levels = 3 };

        var reference = MultiscaleSinkhornSolver.Solve(problem, options, multiscale);
        var viaBackend = await MultiscaleSinkhornSolver.SolveAsync(problem, options, multiscale, static () => new LocalSinkhornBackend());

        Assert.Equal(reference.TransportCost, viaBackend.TransportCost);
        Assert.Equal(reference.Dual, viaBackend.Dual);
        Assert.Equal(reference.Objective, viaBackend.Objective);
        Assert.Equal(reference.Iterations, viaBackend.Iterations);
        Assert.Equal(reference.KernelEvaluations, viaBackend.KernelEvaluations);
        Assert.Equal(reference.F, viaBackend.F);
        Assert.Equal(reference.G, viaBackend.G);
        Assert.Equal(reference.Map, viaBackend.Map);
        Assert.All(reference.Levels, level => Assert.Equal(0, level.ShardPairs));
        Assert.Equal(0, reference.BytesExchanged);
    }

    [Theory]
    [InlineData(1, 5.0)]
    [InlineData(4, 5.0)]
    [InlineData(8, 5.0)]
    [InlineData(500, 5.0)]
    [InlineData(8, 0.5)] // a tight truncation: the safeguard re-admits blocks, so the shards get a second pattern
    public async Task Split_rows_give_the_local_answer_for_shard_count(int shards, double truncation)
    {
        var problem = MultiscaleTestProblems.Random(1500, 1300, 2, seed: 42);
        var options = new SinkhornOptions { Epsilon = MultiscaleTestProblems.EpsilonForBlur(problem, 0.03, CostFunction.SquaredEuclidean), Tolerance = 1e-7 };
        var multiscale = new MultiscaleOptions { Levels = 3, Truncation = truncation };
        var reference = MultiscaleSinkhornSolver.Solve(problem, options, multiscale);
        SplitPointsBackend? backend = null;

        var split = await MultiscaleSinkhornSolver.SolveAsync(problem, options, multiscale, () => backend = new SplitPointsBackend(shards));
        output.WriteLine($"level 0: {split.Levels[0].SurvivingBlockPairs} blocks, {split.Levels[0].ShardPairs} shard pairs, {backend!.PulledValues} values pulled, {split.Refinements} refinements");
        Assert.Equal(reference.Refinements, split.Refinements);
        Assert.Equal(reference.ReadmittedPairs, split.ReadmittedPairs);
        if (truncation < 1)
        {
            Assert.True(split.Refinements > 0, "the case must exercise a re-admission");
        }

        // Rows are bitwise the same; only the sums of the shards' partials are ordered differently.
        Assert.Equal(reference.Iterations, split.Iterations);
        Assert.Equal(reference.KernelEvaluations, split.KernelEvaluations);
        AssertClose(reference.TransportCost, split.TransportCost, "cost");
        AssertClose(reference.Dual, split.Dual, "dual");
        AssertClose(reference.Objective, split.Objective, "objective");
        var scale = Math.Abs(reference.TransportCost);
        for (var i = 0; i < reference.F.Length; i++)
        {
            AssertClose(reference.F[i], split.F[i], $"f[{i}]", scale);
        }

        for (var j = 0; j < reference.G.Length; j++)
        {
            AssertClose(reference.G[j], split.G[j], $"g[{j}]", scale);
        }

        for (var k = 0; k < reference.Map.Length; k++)
        {
            AssertClose(reference.Map[k], split.Map[k], $"map[{k}]", 1);
        }

        Assert.True(double.IsFinite(split.Dual));
    }

    private static void AssertClose(double expected, double actual, string what, double floor = 0)
    {
        var scale = Math.Max(Math.Abs(expected), floor);
        Assert.True(Math.Abs(expected - actual) <= 1e-9 * scale, $"{what}: expected {expected:R}, got {actual:R}");
    }
}
