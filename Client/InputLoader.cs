using System.Globalization;
using Transport.Grains.Interfaces;
using Transport.Numerics;
using Transport.Numerics.Geometry;
using Transport.Numerics.IO;
using Transport.Numerics.Kernels;
using Transport.Numerics.Transport;

namespace Transport.Client;

/// <summary>
/// Turns the typed options into <see cref="SinkhornInputs"/>, checking everything before any file is created or
/// any job is started. Every problem is an <see cref="InvalidInputException"/> whose field is the option name
/// (<c>source</c>, <c>target</c>, <c>source-weights</c>, <c>target-weights</c>, <c>epsilon</c>, ...) and whose
/// message names the offending value (and the file it came from).
/// </summary>
internal static class InputLoader
{
    /// <summary>Demo regularisation when --epsilon is not given.</summary>
    public const double DemoEpsilon = 0.05;

    /// <summary>Validates <paramref name="arguments"/> and loads (or generates) both clouds.</summary>
    public static SinkhornInputs Load(SinkhornArguments arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        DetachedRuns.CheckArguments(arguments.Detach, arguments.Cluster, arguments.Out, arguments.Force);

        if (arguments.Demo)
        {
            var extra = new[] { ("--source", arguments.Source), ("--target", arguments.Target), ("--source-weights", arguments.SourceWeights), ("--target-weights", arguments.TargetWeights) }
                .Where(pair => pair.Item2 is not null)
                .Select(pair => pair.Item1)
                .ToArray();
            if (extra.Length > 0)
            {
                throw new InvalidInputException("demo", $"--demo generates its own clouds and cannot be combined with {string.Join(", ", extra)}");
            }
        }
        else
        {
            if (arguments.Source is null)
            {
                throw new InvalidInputException("source", "required (--source X.npy), or use --demo");
            }

            if (arguments.Target is null)
            {
                throw new InvalidInputException("target", "required (--target Y.npy), or use --demo");
            }

            if (arguments.Epsilon is null)
            {
                throw new InvalidInputException("epsilon", "required (--epsilon E, a finite number > 0 in the units of the cost)");
            }
        }

        var options = new SinkhornOptions
        {
            Epsilon = arguments.Epsilon ?? DemoEpsilon,
            Cost = CostFunctions.Parse(arguments.Cost, "cost"),
            Tolerance = arguments.Tolerance,
            MaxIterations = arguments.MaxIterations,
            Scaling = arguments.Scaling,
            CheckEvery = arguments.CheckEvery,
            Precision = Precisions.Parse(arguments.Precision, "precision"),
        };
        options.Validate();
        if (arguments.Shards < 1)
        {
            throw new InvalidInputException("shards", $"must be at least 1, got {arguments.Shards.ToString(CultureInfo.InvariantCulture)}");
        }

        var multiscale = ValidateMultiscale(arguments);
        _ = ConsoleTelemetry.Parse(arguments.Telemetry, TextWriter.Null);
        var cluster = arguments.Cluster is null ? null : ClusterEndpoint.Parse(arguments.Cluster, arguments.ClusterId, arguments.ServiceId);
        var output = arguments.Detach ? null : OutputDirectory.Validate(arguments.Out!, arguments.Force);

        PointCloud source;
        PointCloud target;
        if (arguments.Demo)
        {
            if (arguments.Points < 1)
            {
                throw new InvalidInputException("points", $"must be at least 1, got {arguments.Points.ToString(CultureInfo.InvariantCulture)}");
            }

            if (arguments.Points > DemoClouds.MaxPoints)
            {
                throw new InvalidInputException("points", $"must be at most {DemoClouds.MaxPoints.ToString(CultureInfo.InvariantCulture)} per demo cloud, got {arguments.Points.ToString(CultureInfo.InvariantCulture)}");
            }

            (source, target) = DemoClouds.Generate(arguments.Points, arguments.Seed);
        }
        else
        {
            source = LoadCloud(arguments.Source!, arguments.SourceWeights, "source", "source-weights");
            target = LoadCloud(arguments.Target!, arguments.TargetWeights, "target", "target-weights");
        }

        // Throws for the field "target" when the dimensions differ; then eps against the clouds' admissible range
        // (EpsilonRange: the same check the solver and the coordinator make, here before anything starts).
        EpsilonRange.Check(new SinkhornProblem(source, target), options);
        var plan = ValidatePlan(arguments, source.Count, target.Count);
        return new SinkhornInputs(source, target, options, arguments.Shards, arguments.Divergence, output, cluster, arguments.Demo) { Multiscale = multiscale, Detach = arguments.Detach, Label = arguments.Label, Telemetry = arguments.Telemetry, Plan = plan };
    }

    /// <summary>
    /// Checks --plan-topk (K &gt;= 1, n min(K, m) entries at most <see cref="PlanRequest.MaxEntries"/>) and --plan-threshold
    /// (at least 1e-7: fewer than 10^7 entries lie above it); both are written by a run the console waits for, not with
    /// --detach.
    /// </summary>
    private static PlanRequest ValidatePlan(SinkhornArguments arguments, int n, int m)
    {
        if (arguments.PlanTopK is null && arguments.PlanThreshold is null)
        {
            return PlanRequest.None;
        }

        if (arguments.Detach)
        {
            throw new InvalidInputException(arguments.PlanTopK is null ? "plan-threshold" : "plan-topk", "is written by a run the console waits for, not with --detach ('runs fetch' writes the potentials: f.npy and g.npy give every entry)");
        }

        if (arguments.PlanTopK is { } k)
        {
            if (k < 1)
            {
                throw new InvalidInputException("plan-topk", $"must be at least 1, got {k.ToString(CultureInfo.InvariantCulture)}");
            }

            var entries = (long)n * Math.Min(k, m);
            if (entries > PlanRequest.MaxEntries)
            {
                throw new InvalidInputException("plan-topk", $"{k.ToString(CultureInfo.InvariantCulture)} entries for each of {n.ToString(CultureInfo.InvariantCulture)} source points are {entries.ToString(CultureInfo.InvariantCulture)}, above the limit of {PlanRequest.MaxEntries.ToString(CultureInfo.InvariantCulture)}");
            }
        }

        if (arguments.PlanThreshold is { } threshold)
        {
            PlanThreshold.Check(threshold);
        }

        return new PlanRequest(arguments.PlanTopK, arguments.PlanThreshold);
    }

    /// <summary>
    /// Checks --multiscale, --levels, --truncate, --memory-budget and --leaf: the last four only make sense with the first (a
    /// usage error otherwise, so that a forgotten --multiscale does not silently run the dense solver).
    /// </summary>
    private static MultiscaleSettings? ValidateMultiscale(SinkhornArguments arguments)
    {
        if (!arguments.Multiscale)
        {
            if (arguments.Levels is not null)
            {
                throw new InvalidInputException("levels", "--levels applies only to a multiscale run; add --multiscale");
            }

            if (arguments.Truncate is not null)
            {
                throw new InvalidInputException("truncate", "--truncate applies only to a multiscale run; add --multiscale");
            }

            if (arguments.MemoryBudget is not null)
            {
                throw new InvalidInputException("memory-budget", "--memory-budget applies only to a multiscale run; add --multiscale");
            }

            if (arguments.Leaf is not null)
            {
                throw new InvalidInputException("leaf", "--leaf applies only to a multiscale run; add --multiscale");
            }

            return null;
        }

        if (arguments.Levels is { } levels && (levels < 1 || levels > SinkhornJobSpec.MaxLevels))
        {
            throw new InvalidInputException("levels", $"must be an integer in 1..{SinkhornJobSpec.MaxLevels}, got {levels.ToString(CultureInfo.InvariantCulture)}");
        }

        if (arguments.Truncate is { } truncate && (!double.IsFinite(truncate) || truncate <= 0))
        {
            throw new InvalidInputException("truncate", $"must be a finite number > 0, got {truncate.ToString("R", CultureInfo.InvariantCulture)}");
        }

        if (arguments.MemoryBudget is { } budget && budget <= 0)
        {
            throw new InvalidInputException("memory-budget", $"must be a number of bytes > 0, got {budget.ToString(CultureInfo.InvariantCulture)}");
        }

        if (arguments.Leaf is { } leaf && leaf < 1)
        {
            throw new InvalidInputException("leaf", $"must be a number of points >= 1, got {leaf.ToString(CultureInfo.InvariantCulture)}");
        }

        return new MultiscaleSettings(arguments.Levels ?? 0, arguments.Truncate ?? SinkhornJobSpec.DefaultTruncation, arguments.MemoryBudget, arguments.Leaf);
    }

    /// <summary>Reads positions (and optional weights) and validates them as a cloud.</summary>
    public static PointCloud LoadCloud(string positionsPath, string? weightsPath, string field, string weightsField)
    {
        var (positions, rows, columns) = ReadMatrix(positionsPath, field);
        var weights = weightsPath is null ? null : ReadVector(weightsPath, weightsField);
        try
        {
            return PointCloud.Create(positions, rows, columns, weights, field, weightsField);
        }
        catch (InvalidInputException ex)
        {
            var path = ex.Field == weightsField && weightsPath is not null ? weightsPath : positionsPath;
            throw InFile(ex, path);
        }
    }

    /// <summary>Reads a matrix (rows are points) from .npy (1-D means one column) or .csv.</summary>
    public static (double[] Data, int Rows, int Columns) ReadMatrix(string path, string field)
    {
        switch (KindOf(path, field))
        {
            case FileKind.Npy:
                try
                {
                    return NpyArray.Read(path, field).AsMatrix(field);
                }
                catch (InvalidInputException ex)
                {
                    throw InFile(ex, path);
                }

            default:
                try
                {
                    var csv = CsvMatrix.Read(path, field);
                    return (csv.Data, csv.Rows, csv.Columns);
                }
                catch (InvalidInputException ex)
                {
                    throw InFile(ex, path);
                }
        }
    }

    /// <summary>Reads a vector: .npy of shape (n,) or (n, 1), or .csv with one column or one row.</summary>
    public static double[] ReadVector(string path, string field)
    {
        switch (KindOf(path, field))
        {
            case FileKind.Npy:
                try
                {
                    return NpyArray.Read(path, field).AsVector(field);
                }
                catch (InvalidInputException ex)
                {
                    throw InFile(ex, path);
                }

            default:
                CsvMatrix csv;
                try
                {
                    csv = CsvMatrix.Read(path, field);
                }
                catch (InvalidInputException ex)
                {
                    throw InFile(ex, path);
                }

                if (csv.Columns != 1 && csv.Rows != 1)
                {
                    throw new InvalidInputException(field, $"{path}: expected one column (or one row) of weights, got {csv.Rows} x {csv.Columns}");
                }

                return csv.Data;
        }
    }

    private enum FileKind
    {
        Npy,
        Csv,
    }

    private static FileKind KindOf(string path, string field)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new InvalidInputException(field, "the file path is empty");
        }

        if (!File.Exists(path))
        {
            throw new InvalidInputException(field, $"file not found: {path}");
        }

        var extension = Path.GetExtension(path).ToUpperInvariant();
        return extension switch
        {
            ".NPY" => FileKind.Npy,
            ".CSV" => FileKind.Csv,
            _ => throw new InvalidInputException(field, $"{path}: unsupported file type '{Path.GetExtension(path)}' (expected .npy or .csv)"),
        };
    }

    /// <summary>Re-raises <paramref name="ex"/> with the file name after the field, so the message says where the bad value is.</summary>
    private static InvalidInputException InFile(InvalidInputException ex, string path)
    {
        var prefix = ex.Field + ": ";
        var detail = ex.Message.StartsWith(prefix, StringComparison.Ordinal) ? ex.Message[prefix.Length..] : ex.Message;
        return new InvalidInputException(ex.Field, $"{path}: {detail}");
    }
}
