using System.CommandLine;
using System.Globalization;
using Transport.Numerics;
using Transport.Numerics.Geometry;
using Transport.Numerics.IO;
using Transport.Numerics.Transport;

namespace Transport.Client.References;

/// <summary>
/// <c>transport interpolate</c>: displacement interpolation of two clouds through the entropic barycentric map,
/// x_i(t) = (1 - t) x_i + t T(x_i) with T(x_i) = sum_j P_ij y_j / a_i, solved in this process by the dense Sinkhorn
/// solver (the same code as an in-process <c>sinkhorn</c>). Writes <c>interpolation.npy</c> (times x n x d),
/// <c>result.json</c> and <c>interpolation.png</c>. As eps -&gt; 0 and for n = m uniform the map tends to the optimal
/// assignment and the curve to McCann's interpolant of the clouds.
/// </summary>
internal static class InterpolateCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build(TextWriter stdout, TextWriter stderr)
    {
        var source = new Option<string?>("--source") { Description = "Source positions, n x d (.npy or .csv)", HelpName = "X.npy" };
        var target = new Option<string?>("--target") { Description = "Target positions, m x d (.npy or .csv)", HelpName = "Y.npy" };
        var sourceWeights = new Option<string?>("--source-weights") { Description = "Source weights (default: uniform)", HelpName = "A.npy" };
        var targetWeights = new Option<string?>("--target-weights") { Description = "Target weights (default: uniform)", HelpName = "B.npy" };
        var epsilon = NumberOptions.OptionalDouble("--epsilon", "Regularisation eps > 0 of the Sinkhorn solve, in the units of the cost (required)", "E");
        var cost = new Option<string>("--cost") { Description = "Ground cost: sqeuclidean |x-y|^2 or half-sqeuclidean |x-y|^2/2", DefaultValueFactory = _ => "sqeuclidean" };
        var tolerance = NumberOptions.Double("--tolerance", 1e-6, "Stop the solve when the L1 marginal error is below this", "T");
        var maxIterations = NumberOptions.Int32("--max-iterations", 10_000, "Iteration cap of the solve", "K");
        var times = new Option<string?>("--times") { Description = "Times in [0, 1], e.g. 0,0.25,0.5,0.75,1 (required)", HelpName = "t1,t2,..." };
        var output = new Option<string?>("--out") { Description = "Output directory (interpolation.npy, result.json, interpolation.png)", HelpName = "DIR" };
        var force = OutputOptions.Force();
        var command = new Command("interpolate", "Displacement interpolation of two clouds through the entropic barycentric map: (1 - t) x + t T(x) at the given times")
        {
            source, target, sourceWeights, targetWeights, epsilon, cost, tolerance, maxIterations, times, output, force,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            new Arguments(
                parse.GetValue(source),
                parse.GetValue(target),
                parse.GetValue(sourceWeights),
                parse.GetValue(targetWeights),
                parse.GetValue(epsilon),
                parse.GetValue(cost) ?? "sqeuclidean",
                parse.GetValue(tolerance),
                parse.GetValue(maxIterations),
                parse.GetValue(times),
                parse.GetValue(output),
                parse.GetValue(force)),
            stdout,
            stderr,
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(Arguments arguments, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        try
        {
            var output = OutputDirectory.Validate(arguments.Out ?? throw new InvalidInputException("out", "is required: the folder for interpolation.npy (--out DIR)"), arguments.Force);
            var epsilon = arguments.Epsilon ?? throw new InvalidInputException("epsilon", "is required (--epsilon E, in the units of the cost)");
            var times = ReferenceOutputs.Times(arguments.Times ?? throw new InvalidInputException("times", "is required, e.g. --times 0,0.5,1"), "times");
            var options = new SinkhornOptions
            {
                Epsilon = epsilon,
                Cost = CostFunctions.Parse(arguments.Cost, "cost"),
                Tolerance = arguments.Tolerance,
                MaxIterations = arguments.MaxIterations,
            };
            options.Validate();
            var x = InputLoader.LoadCloud(arguments.Source ?? throw new InvalidInputException("source", "is required (--source X.npy)"), arguments.SourceWeights, "source", "source-weights");
            var y = InputLoader.LoadCloud(arguments.Target ?? throw new InvalidInputException("target", "is required (--target Y.npy)"), arguments.TargetWeights, "target", "target-weights");
            var problem = new SinkhornProblem(x, y);
            EpsilonRange.Check(problem, options);
            var limit = (long)times.Length * x.Count * x.Dimension;
            if (limit > MaxValues)
            {
                throw new InvalidInputException("times", $"{times.Length} times of {x.Count} x {x.Dimension} values are {limit}, above the limit of {MaxValues}");
            }

            await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"interpolate: solving {x.Count} x {y.Count} points at eps {epsilon:G6}"));
            var solved = SinkhornSolver.Solve(problem, options, cancellationToken: cancellationToken);
            var map = solved.BarycentricMap();
            var path = Interpolate(x.Positions, map, times);
            output.Commit(directory =>
            {
                NpyArray.WriteFloat64(Path.Combine(directory, "interpolation.npy"), path, times.Length, x.Count, x.Dimension);
                ReferenceOutputs.WriteJson(Path.Combine(directory, "result.json"), writer =>
                {
                    writer.WriteStartObject();
                    writer.WriteNumber("n", x.Count);
                    writer.WriteNumber("m", y.Count);
                    writer.WriteNumber("dim", x.Dimension);
                    writer.WriteString("cost_function", options.Cost.Name());
                    writer.WriteNumber("epsilon", epsilon);
                    ReferenceOutputs.Vector(writer, "times", times);
                    writer.WriteNumber("iterations", solved.Iterations);
                    writer.WriteBoolean("converged", solved.Converged);
                    writer.WriteNumber("marginal_error", solved.Summary.MarginalError);
                    writer.WriteNumber("cost", solved.TransportCost);
                    writer.WriteNumber("dual", solved.Dual);
                    writer.WriteEndObject();
                });
                InterpolationPlot.Write(Path.Combine(directory, "interpolation.png"), x, y, path, times, epsilon);
            });
            if (!solved.Converged)
            {
                await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"warning: not converged: stopped at --max-iterations {options.MaxIterations} with marginal error {solved.Summary.MarginalError:G6}; written with converged false"));
            }

            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{times.Length} times x {x.Count} points, cost {solved.TransportCost:R}, iterations {solved.Iterations}  -> {output.FullPath}"));
            return ExitCodes.Success;
        }
        catch (Exception ex) when (CommandErrors.Reports(ex))
        {
            return await CommandErrors.ReportAsync(ex, stderr, cancellationToken);
        }
    }

    /// <summary>The most values interpolation.npy may hold (10^8: 800 MB).</summary>
    public const long MaxValues = 100_000_000;

    /// <summary>(1 - t) x + t T(x) for every time, row-major times x n x d.</summary>
    internal static double[] Interpolate(ReadOnlySpan<double> positions, double[] map, double[] times)
    {
        var values = positions.Length;
        var path = new double[times.Length * values];
        for (var s = 0; s < times.Length; s++)
        {
            var t = times[s];
            for (var v = 0; v < values; v++)
            {
                path[(s * values) + v] = ((1 - t) * positions[v]) + (t * map[v]);
            }
        }

        return path;
    }

    private sealed record Arguments(
        string? Source,
        string? Target,
        string? SourceWeights,
        string? TargetWeights,
        double? Epsilon,
        string Cost,
        double Tolerance,
        int MaxIterations,
        string? Times,
        string? Out,
        bool Force);
}
