using Transport.Numerics.Geometry;
using Transport.Numerics.Kernels;
using Transport.Numerics.Transport;
using Transport.Numerics.Transport.Multiscale;
using Xunit.Abstractions;

namespace Transport.Numerics.Tests.Transport.Multiscale;

/// <summary>The leaf size a multiscale solve takes from its memory budget (<see cref="LeafSizeChoice"/>).</summary>
public sealed class LeafSizeChoiceTests(ITestOutputHelper output)
{
    private const int Points = 20_000;

    [Fact]
    public void Default_budget_keeps_leaves_of_8_for_a_problem_that_fits()
    {
        var choice = Choose(MultiscaleMemoryEstimateTests.CubeProblem(Points, 3), new MultiscaleOptions());
        Assert.Equal(8, choice.LeafClusterSize);
        Assert.True(choice.FitsBudget);
        Assert.True(choice.EstimatedPeakBytes < MultiscaleOptions.DefaultMemoryBudget);
    }

    [Fact]
    public void A_budget_below_the_estimate_at_8_doubles_the_leaves_until_the_estimate_fits()
    {
        var problem = MultiscaleMemoryEstimateTests.CubeProblem(Points, 3);
        var atEight = Choose(problem, new MultiscaleOptions { LeafClusterSize = 8 });
        var choice = Choose(problem, new MultiscaleOptions { MemoryBudget = atEight.EstimatedPeakBytes - 1 });
        output.WriteLine($"leaf 8: {atEight.EstimatedPeakBytes:N0} bytes, depths [{string.Join(", ", atEight.Depths)}]; chosen {choice}: depths [{string.Join(", ", choice.Depths)}]");
        Assert.True(choice.LeafClusterSize > 8);
        Assert.True(choice.FitsBudget);
        Assert.True(choice.EstimatedPeakBytes < atEight.EstimatedPeakBytes);
        Assert.True(choice.Depths[0] < atEight.Depths[0], "larger leaves are a coarser octree depth");
    }

    [Fact]
    public void A_budget_nothing_fits_takes_the_smallest_estimate_and_stays_multiscale()
    {
        var problem = MultiscaleMemoryEstimateTests.CubeProblem(Points, 3);
        var choice = Choose(problem, new MultiscaleOptions { MemoryBudget = 1 });
        output.WriteLine(choice.ToString());
        Assert.False(choice.FitsBudget);
        Assert.True(choice.LeafClusterSize > 8);
        Assert.NotEmpty(choice.Depths);
        Assert.True(choice.EstimatedPeakBytes < Choose(problem, new MultiscaleOptions { LeafClusterSize = 8 }).EstimatedPeakBytes);
    }

    [Fact]
    public void A_given_leaf_size_is_kept_whatever_the_budget()
    {
        var choice = Choose(MultiscaleMemoryEstimateTests.CubeProblem(Points, 3), new MultiscaleOptions { LeafClusterSize = 8, MemoryBudget = 1 });
        Assert.Equal(8, choice.LeafClusterSize);
        Assert.False(choice.FitsBudget);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-5L)]
    public void Memory_budget_must_be_positive(long budget)
    {
        var error = Assert.Throws<InvalidInputException>(() => new MultiscaleOptions { MemoryBudget = budget }.Validate());
        Assert.Equal("memory-budget", error.Field);
        Assert.Contains(budget.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A 20,000-point problem (10,000 per side, d = 2, blur 0.02 x diameter) under a budget just below the estimate at
    /// leaves of 8: doubling passes 16 (the same octree depth as 8 here) and stops at 32, one depth coarser, and the solve
    /// still matches the default one within the solver's stated accuracy: both are within their marginal error (1e-6)
    /// and neglected mass (1e-5) of the same dense answer, so cost, dual and potentials agree to 1e-4 of their scale.
    /// </summary>
    [Fact]
    public void Budget_forced_leaves_of_32_match_the_default_solve()
    {
        const int n = 10_000;
        var problem = MultiscaleTestProblems.Random(n, n, 2, seed: 7);
        var options = new SinkhornOptions { Epsilon = MultiscaleTestProblems.EpsilonForBlur(problem, 0.02, CostFunction.SquaredEuclidean), Tolerance = 1e-6 };
        var atEight = Choose(problem, new MultiscaleOptions(), options);
        var defaults = MultiscaleSinkhornSolver.Solve(problem, options, new MultiscaleOptions());
        var forced = MultiscaleSinkhornSolver.Solve(problem, options, new MultiscaleOptions { MemoryBudget = atEight.EstimatedPeakBytes - 1 });
        output.WriteLine($"default: leaf {defaults.LeafClusterSize}, {MultiscaleTestProblems.Describe(defaults)}");
        output.WriteLine($"forced: leaf {forced.LeafClusterSize}, estimate {forced.EstimatedPeakBytes:N0} < {atEight.EstimatedPeakBytes:N0}, {MultiscaleTestProblems.Describe(forced)}");

        Assert.Equal(8, defaults.LeafClusterSize);
        Assert.Equal(32, forced.LeafClusterSize);
        Assert.True(forced.EstimatedPeakBytes < atEight.EstimatedPeakBytes);
        Assert.True(forced.Levels[1].SourceClusters < defaults.Levels[1].SourceClusters);
        Assert.True(defaults.Converged && forced.Converged);

        var squaredDiameter = MultiscaleTestProblems.SquaredDiameter(problem);
        TestData.AssertRelative(defaults.TransportCost, forced.TransportCost, 1e-4, floor: 1e-12, what: "cost");
        TestData.AssertRelative(defaults.Dual, forced.Dual, 1e-4, floor: 1e-12, what: "dual");
        var worst = defaults.F.Zip(forced.F, (a, b) => Math.Abs(a - b)).Concat(defaults.G.Zip(forced.G, (a, b) => Math.Abs(a - b))).Max();
        Assert.True(worst <= 1e-4 * squaredDiameter, $"potentials differ by {worst:E3}");
    }

    private static LeafSizeChoice Choose(SinkhornProblem problem, MultiscaleOptions multiscale, SinkhornOptions? options = null)
    {
        options ??= new SinkhornOptions { Epsilon = Math.Pow(0.01 * Math.Sqrt(MultiscaleTestProblems.SquaredDiameter(problem)), 2) };
        var box = BoundingBox.Of(problem.Source).Union(BoundingBox.Of(problem.Target));
        var morton = new MortonOrder(box);
        var (sourceCodes, _) = morton.Sort(problem.Source.Positions, problem.Source.Count);
        var (targetCodes, _) = morton.Sort(problem.Target.Positions, problem.Target.Count);
        return LeafSizeChoice.Choose(morton, sourceCodes, targetCodes, multiscale, Math.Sqrt(options.Epsilon / options.Cost.Scale()), Precision.Double);
    }
}
