using Transport.Numerics;
using Transport.Numerics.Geometry;
using Transport.Numerics.IO;
using Transport.Numerics.Randomness;

namespace Transport.Client.Flows;

/// <summary>A cloud read or generated from a run specification: positions (row-major) and optional weights.</summary>
/// <param name="Positions">Row-major coordinates.</param>
/// <param name="Count">Number of points.</param>
/// <param name="Dimension">Dimension.</param>
/// <param name="Weights">Weights, or empty for uniform.</param>
internal sealed record CloudData(double[] Positions, int Count, int Dimension, double[] Weights);

/// <summary>
/// Resolves a cloud description: <c>{"npy": "path", "weights": "path"}</c> (relative paths against the
/// specification's folder) or a seeded generator, <c>{"generator": "uniform-sphere" | "gaussian" |
/// "uniform-cube" | "ring", "n": .., "dim": .., "seed": .., ...}</c>. Generators use the counter-based
/// generator keyed by (seed, point index), so a cloud does not depend on anything but its description.
/// </summary>
internal static class CloudSource
{
    /// <summary>Largest generated cloud (points x dimension).</summary>
    public const long MaxGeneratedValues = 100_000_000;

    /// <summary>Reads or generates the cloud described by <paramref name="spec"/>.</summary>
    public static CloudData Resolve(JsonSpecReader spec, string folder)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Has("npy"))
        {
            var path = Resolve(folder, spec.String("npy"));
            var (data, rows, columns) = NpyArray.Read(path, spec.FieldOf("npy")).AsMatrix(spec.FieldOf("npy"));
            var weightsPath = spec.OptionalString("weights");
            var weights = weightsPath is null ? [] : NpyArray.Read(Resolve(folder, weightsPath), spec.FieldOf("weights")).AsVector(spec.FieldOf("weights"));
            spec.RejectUnknown();
            return new CloudData(data, rows, columns, weights);
        }

        var generator = spec.OptionalString("generator")
            ?? throw new InvalidInputException(spec.Path, "expected {\"npy\": path} or {\"generator\": name, ...}");
        var n = (int)spec.Integer("n", min: 1, max: int.MaxValue);
        var seed = spec.Integer("seed", 0);
        var cloud = generator switch
        {
            "uniform-sphere" => Sphere(n, Dimension(spec, n, minimum: 2), seed),
            "gaussian" => Gaussian(spec, n, Dimension(spec, n), seed),
            "uniform-cube" => Cube(spec, n, Dimension(spec, n), seed),
            "ring" => Ring(spec, n, seed),
            _ => throw new InvalidInputException(spec.FieldOf("generator"), $"unknown generator '{generator}' (expected uniform-sphere, gaussian, uniform-cube or ring)"),
        };
        spec.RejectUnknown();
        return cloud;
    }

    /// <summary>A path relative to the specification's folder, or absolute.</summary>
    public static string Resolve(string folder, string path) => Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(folder, path));

    private static int Dimension(JsonSpecReader spec, int n, int minimum = 1)
    {
        var dim = (int)spec.Integer("dim", min: minimum, max: 100_000);
        if ((long)n * dim > MaxGeneratedValues)
        {
            throw new InvalidInputException(spec.FieldOf("n"), $"{n} x {dim} values exceed the generator limit of {MaxGeneratedValues}");
        }

        return dim;
    }

    private static CloudData Sphere(int n, int dim, long seed)
    {
        var positions = UnitSphere.Uniform(n, dim, seed);
        return new CloudData(positions, n, dim, []);
    }

    private static CloudData Gaussian(JsonSpecReader spec, int n, int dim, long seed)
    {
        var std = spec.Number("std", 1.0, 0, exclusiveMin: true);
        var mean = spec.Vector("mean") ?? new double[dim];
        if (mean.Length != dim)
        {
            throw new InvalidInputException(spec.FieldOf("mean"), $"has {mean.Length} coordinates; dim is {dim}");
        }

        var positions = new double[n * dim];
        for (var i = 0; i < n; i++)
        {
            var point = positions.AsSpan(i * dim, dim);
            CounterRandom.FillNormals(seed, i, 0, 0, dim, point);
            for (var k = 0; k < dim; k++)
            {
                point[k] = mean[k] + (std * point[k]);
            }
        }

        return new CloudData(positions, n, dim, []);
    }

    private static CloudData Cube(JsonSpecReader spec, int n, int dim, long seed)
    {
        var low = spec.Number("low", -1.0);
        var high = spec.Number("high", 1.0);
        if (!(high > low))
        {
            throw new InvalidInputException(spec.FieldOf("high"), $"must exceed low ({low}), got {high}");
        }

        var positions = new double[n * dim];
        for (var i = 0; i < n; i++)
        {
            for (var k = 0; k < dim; k++)
            {
                positions[(i * dim) + k] = low + ((high - low) * CounterRandom.Uniform(seed, i, 0, 0, k));
            }
        }

        return new CloudData(positions, n, dim, []);
    }

    private static CloudData Ring(JsonSpecReader spec, int n, long seed)
    {
        if (spec.Integer("dim", 2, 2, 2) != 2)
        {
            throw new InvalidInputException(spec.FieldOf("dim"), "a ring is 2-D");
        }

        var radius = spec.Number("radius", 1.0, 0, exclusiveMin: true);
        var noise = spec.Number("noise", 0.05, 0);
        var center = spec.Vector("center") ?? [0.0, 0.0];
        if (center.Length != 2)
        {
            throw new InvalidInputException(spec.FieldOf("center"), $"has {center.Length} coordinates; a ring is 2-D");
        }

        var positions = new double[n * 2];
        for (var i = 0; i < n; i++)
        {
            var angle = 2 * Math.PI * CounterRandom.Uniform(seed, i, 0, 0, 0);
            var r = radius + (noise * CounterRandom.Normal(seed, i, 0, 1, 0));
            positions[2 * i] = center[0] + (r * Math.Cos(angle));
            positions[(2 * i) + 1] = center[1] + (r * Math.Sin(angle));
        }

        return new CloudData(positions, n, 2, []);
    }
}
