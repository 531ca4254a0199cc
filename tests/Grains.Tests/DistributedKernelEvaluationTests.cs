using Transport.Grains.Interfaces;
using Transport.Numerics.Transport;

namespace Transport.Grains.Tests;

/// <summary>
/// Work accounting on the cluster: each shard reports the point-pair cost evaluations of every call with its
/// partials and the coordinator sums them, so the count equals the single-process count exactly (a block of
/// n_k queries against m keys costs n_k m, and the n_k sum to n), whatever the shard count.
/// </summary>
[Collection(ClusterTestGroup.Name)]
public sealed class DistributedKernelEvaluationTests(ClusterFixture fixture)
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task Cluster_count_equals_single_process_count_for_shard_count(int shards)
    {
        var (source, target) = Problems.Clouds(31, 23, 2, seed: 21);
        var spec = Problems.Spec(source, target, epsilon: 0.05, shards);
        var reference = SinkhornSolver.Solve(new SinkhornProblem(source, target), Problems.Options(spec));
        _ = reference.TransportCost;

        var output = await new SinkhornJobClient(fixture.Grains).RunAsync($"evaluations-{shards}", spec, source, target);

        Assert.Equal(shards, output.Result.Shards);
        Assert.Equal(reference.Iterations, output.Result.Iterations);
        Assert.Equal(((2L * reference.Iterations) + 1) * 31 * 23, output.Result.KernelEvaluations);
        Assert.Equal(reference.KernelEvaluations, output.Result.KernelEvaluations);
        Assert.Equal(0, output.Result.NeglectedMass);
        Assert.Equal(1, output.Result.Levels);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task Cluster_count_with_the_divergence_equals_single_process_count(int shards)
    {
        var (source, target) = Problems.Clouds(26, 19, 2, seed: 22);
        var spec = Problems.Spec(source, target, epsilon: 0.1, shards, divergence: true);
        var reference = SinkhornDivergence.Compute(new SinkhornProblem(source, target), Problems.Options(spec));
        _ = reference.Cross.TransportCost;

        var output = await new SinkhornJobClient(fixture.Grains).RunAsync($"evaluations-divergence-{shards}", spec, source, target);

        Assert.Equal(reference.KernelEvaluations, output.Result.KernelEvaluations);
    }

    [Fact]
    public async Task Multiscale_job_equals_the_single_process_multiscale_solver_and_the_dense_answer()
    {
        // The coordinator runs the coarse levels and two shards per side iterate on the points: the cost, potentials and
        // level count equal the in-process multiscale run (1e-9: every row is computed from the same keys in the same
        // order; only the shards' partial sums are ordered differently), and the cost matches the
        // dense solver within 1e-4 relative (the truncation and tolerance budget of issue 5).
        var (source, target) = Problems.Clouds(900, 800, 2, seed: 23);
        var spec = Problems.Spec(source, target, epsilon: 0.01, shards: 2, tolerance: 1e-7) with { Multiscale = true, Levels = 3 };
        var options = Problems.Options(spec);
        var reference = Numerics.Transport.Multiscale.MultiscaleSinkhornSolver.Solve(
            new SinkhornProblem(source, target), options, new Numerics.Transport.Multiscale.MultiscaleOptions { Levels = 3 });
        var dense = SinkhornSolver.Solve(new SinkhornProblem(source, target), options);

        var output = await new SinkhornJobClient(fixture.Grains).RunAsync("multiscale-job", spec, source, target);

        Assert.Equal(reference.LevelCount, output.Result.Levels);
        Problems.AssertClose(reference.TransportCost, output.Result.Cost, 1e-9, 0, "cost vs multiscale");
        Problems.AssertClose(dense.TransportCost, output.Result.Cost, 1e-4, 0, "cost vs dense");
        Assert.True(output.Result.NeglectedMass >= 0);
        for (var i = 0; i < reference.F.Length; i++)
        {
            Problems.AssertClose(reference.F[i], output.F[i], 1e-9, 1, $"f[{i}]");
        }

        // Kernel evaluations: the multiscale solve, its cost and map passes included, as counted in process.
        Assert.Equal(reference.KernelEvaluations, output.Result.KernelEvaluations);
        for (var i = 0; i < reference.Map.Length; i++)
        {
            Problems.AssertClose(reference.Map[i], output.Map[i], 1e-9, 1, $"map[{i}]");
        }
    }

    [Fact]
    public async Task Multiscale_settings_are_validated_naming_the_field()
    {
        var (source, target) = Problems.Clouds(12, 10, 2, seed: 24);
        var coordinator = fixture.Grains.GetGrain<ISinkhornCoordinatorGrain>("multiscale-settings");
        var dense = Problems.Spec(source, target, epsilon: 0.1, shards: 1);

        var cases = new (SinkhornJobSpec Spec, string Field, string Mention)[]
        {
            (dense with { Multiscale = true, Levels = 17 }, "levels", "got 17"),
            (dense with { Multiscale = true, Levels = -1 }, "levels", "got -1"),
            (dense with { Multiscale = true, Truncation = 0 }, "truncate", "got 0"),
            (dense with { Multiscale = true, Truncation = double.PositiveInfinity }, "truncate", "Infinity"),
            (dense with { Multiscale = true, Truncation = double.NaN }, "truncate", "NaN"),
            (dense with { Levels = 3 }, "levels", "multiscale"),
            (dense with { Truncation = 2 }, "truncate", "multiscale"),
            (dense with { Multiscale = true, MemoryBudget = 0 }, "memory-budget", "got 0"),
            (dense with { Multiscale = true, MemoryBudget = -1 }, "memory-budget", "got -1"),
            (dense with { MemoryBudget = 1L << 30 }, "memory-budget", "multiscale"),
        };
        foreach (var (spec, field, mention) in cases)
        {
            var error = await Assert.ThrowsAsync<JobInputException>(() => coordinator.CreateAsync(spec));
            Assert.Equal(field, error.Field);
            Assert.Contains(mention, error.Message, StringComparison.Ordinal);
        }

        // In range, a multiscale job is accepted at creation (the run decides what the build can do).
        await coordinator.CreateAsync(dense with { Multiscale = true, Levels = 16, Truncation = 1e-3 });
    }
}
