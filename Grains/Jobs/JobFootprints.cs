using System.Globalization;
using System.Text.Json;
using Transport.Grains.Interfaces;
using Transport.Numerics.Flows;

namespace Transport.Grains;

/// <summary>
/// The demand of each job kind (<see cref="JobDemand"/>) from its validated spec: points, the largest shard block and an
/// estimate of the bytes its shards and coordinator hold. The estimates count the arrays that grow with the points, in
/// float64 (8 bytes) unless the kernel copy is float32; they leave out constant overheads (grain activations, message
/// buffers), so they are lower bounds to within those, and the limit they are checked against keeps a margin (half the
/// memory by default).
/// </summary>
internal static class JobFootprints
{
    private const long Float64 = sizeof(double);

    /// <summary>
    /// A Sinkhorn job. Per point uploaded: d coordinates and a weight. Dense: each shard gathers the whole other cloud as
    /// its keys (each source shard holds all m target points, each target shard all n source points; with the divergence
    /// also its own cloud for the self problem), keeping the gathered float64 copy, the kernel's copy (coordinates, norm,
    /// log-weight and residual, float32 with <c>single</c>) and four float64 buffers per key (log-weights, shift, the
    /// pulled potential); per row and solve f, g, candidate, weight, the map (d) and the kernel's query copy. Multiscale:
    /// the shards sort the clouds (a sorted copy of every point with its input index, and the chunks in flight: about
    /// two more) and keep the points, the potentials and the map; each shard's keys are those of its kept blocks,
    /// estimated at twice its rows (the blur-wide band around its clusters; the safeguard may add more); the coordinator
    /// holds the cluster levels only (centroid, mass and child offset a cluster: the leaves, of
    /// <see cref="SinkhornJobSpec.LeafClusterSize"/> points, 8 when the budget chooses, and 1/7 more above them) and the
    /// leaf pattern (4 bytes a kept pair, about as many pairs as points).
    /// </summary>
    public static JobDemand Sinkhorn(SinkhornJobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        long n = spec.SourceCount, m = spec.TargetCount, d = spec.Dimension;
        long sourceShards = Math.Max(1, Math.Min(spec.Shards, n)), targetShards = Math.Max(1, Math.Min(spec.Shards, m));
        var kernel = spec.Precision == "single" ? sizeof(float) : sizeof(double);
        var pointBytes = (d + 1) * Float64;
        var keyBytes = ((d + 1) * Float64) + ((d + 2) * kernel) + (4 * Float64);
        var rowBytes = ((4 + d) * Float64) + (d * kernel);
        var terms = spec.Divergence ? 3 : 1;
        long keys;
        long coordinator;
        long sortedCopies = 0;
        string detail;
        if (spec.Multiscale)
        {
            keys = 2 * (n + m) * terms;
            var leaf = Math.Max(1, spec.LeafClusterSize ?? 8);
            var clusters = 8.0 / 7 * (Ceiling(n, leaf) + Ceiling(m, leaf));
            sortedCopies = 3 * (n + m) * (pointBytes + sizeof(int));
            coordinator = (long)(clusters * (pointBytes + sizeof(int))) + (sizeof(int) * (n + m) * terms);
            detail = "the clouds and their sorted copies on the shards, twice each shard's rows of kept keys per solve, the cluster levels and leaf patterns on the coordinator";
        }
        else
        {
            keys = (sourceShards * m) + (targetShards * n);
            if (spec.Divergence)
            {
                keys += (sourceShards * n) + (targetShards * m);
            }

            coordinator = 0;
            detail = string.Create(CultureInfo.InvariantCulture, $"the clouds, and every shard's copy of the keys it solves against: {keys} keys over {sourceShards + targetShards} shards");
        }

        var bytes = Saturating(((double)(n + m) * pointBytes) + ((double)keys * keyBytes) + ((double)(n + m) * terms * rowBytes) + sortedCopies + coordinator);
        var largest = Math.Max(Ceiling(n, sourceShards), Ceiling(m, targetShards));
        return new JobDemand(n + m, string.Create(CultureInfo.InvariantCulture, $"n {n} + m {m}"), largest, spec.Dimension, bytes, detail);
    }

    /// <summary>
    /// A flow job. Per particle on its shard: position, weight and the integrator's stage velocities and states (up to
    /// seven vectors of d for the adaptive Dormand-Prince step); the coordinator gathers every position and weight each
    /// stage for models that need them all, and keeps the trajectory: for a fixed step, every snapshot; for the adaptive
    /// integrator (a step count unknown in advance) the first and the last. The model's data (a target cloud, a data
    /// set), inline or uploaded, is held in float64 by every flow shard and by the coordinator, each of which builds the
    /// model. A <c>sinkhorn-flow</c> also solves its three problems on Sinkhorn shards: the footprint of a Sinkhorn
    /// divergence job (<see cref="Sinkhorn"/>) of the particles against the target on as many shards, dense or
    /// multiscale and in the precision its parameters ask for.
    /// </summary>
    public static JobDemand Flow(FlowJobSpec spec, FlowOptions options)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        long n = spec.Count, d = spec.Dimension;
        var shards = Math.Max(1, Math.Min(spec.Shards, n));
        var snapshots = options.Integrator == FlowIntegrator.Adaptive ? 2 : ((long)options.FixedStepCount() / options.SnapshotEvery) + 2;
        var dataValues = ModelDataValues(spec.Model);
        var particles = ((double)n * ((8 * d) + 1) * Float64) + ((double)n * (d + 1) * Float64) + ((double)snapshots * n * d * Float64);
        var modelData = (double)(shards + 1) * dataValues * Float64;
        var detail = string.Create(CultureInfo.InvariantCulture, $"the particles with their integrator stages, {snapshots} snapshots of the trajectory");
        if (dataValues > 0)
        {
            detail += string.Create(CultureInfo.InvariantCulture, $", {dataValues} values of model data on each of {shards} shards and the coordinator");
        }

        double sinkhorn = 0;
        if (spec.Model?.Name == "sinkhorn-flow" && SinkhornFlowSpec(spec, shards) is { } solves)
        {
            var demand = Sinkhorn(solves);
            sinkhorn = demand.Bytes;
            detail += $", and on Sinkhorn shards {demand.BytesDetail}";
        }

        var bytes = Saturating(particles + modelData + sinkhorn);
        return new JobDemand(n, string.Create(CultureInfo.InvariantCulture, $"{n} particles"), Ceiling(n, shards), spec.Dimension, bytes, detail);
    }

    /// <summary>The values of a model's data blocks, inline and announced for upload (malformed blocks count as empty: the builder refuses them).</summary>
    private static long ModelDataValues(FlowModelSpec? model)
    {
        if (model is null)
        {
            return 0;
        }

        long values = 0;
        foreach (var block in model.Data ?? [])
        {
            values += block is { IsWellFormed: true } ? (long)block.Rows * block.Columns : 0;
        }

        foreach (var shape in model.Uploaded ?? [])
        {
            values += shape is null ? 0 : Math.Max(0, (long)shape.Rows) * Math.Max(0, shape.Columns);
        }

        return values;
    }

    /// <summary>
    /// The Sinkhorn divergence problem a <c>sinkhorn-flow</c> solves each stage: the particles against its target (the
    /// block named <c>target</c>, else the first), with the parameters' <c>multiscale</c> and <c>precision</c>; null
    /// without a target (the builder refuses the spec).
    /// </summary>
    private static SinkhornJobSpec? SinkhornFlowSpec(FlowJobSpec spec, long shards)
    {
        var model = spec.Model;
        var names = model.DataNames ?? [];
        var data = model.Data ?? [];
        long targetRows = -1;
        for (var k = 0; k < data.Length && targetRows < 0; k++)
        {
            if (data[k] is { IsWellFormed: true } block && (names.Length == 0 ? k == 0 : k < names.Length && names[k] == "target"))
            {
                targetRows = block.Rows;
            }
        }

        foreach (var shape in model.Uploaded ?? [])
        {
            if (targetRows < 0 && shape is { Name: "target" })
            {
                targetRows = shape.Rows;
            }
        }

        if (targetRows <= 0)
        {
            return null;
        }

        var (multiscale, precision) = SinkhornFlowParameters(model.ParametersJson);
        return new SinkhornJobSpec
        {
            SourceCount = spec.Count,
            TargetCount = (int)Math.Min(targetRows, int.MaxValue),
            Dimension = spec.Dimension,
            Epsilon = 1,
            Shards = (int)shards,
            Divergence = true,
            Multiscale = multiscale,
            Precision = precision,
        };
    }

    /// <summary><c>multiscale</c> and <c>precision</c> from a model's parameters (the defaults where absent or unreadable: the builder refuses bad values).</summary>
    private static (bool Multiscale, string Precision) SinkhornFlowParameters(string? json)
    {
        try
        {
            using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(json) ? "{}" : json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (false, "double");
            }

            var multiscale = root.TryGetProperty("multiscale", out var m) && m.ValueKind == JsonValueKind.True;
            var precision = root.TryGetProperty("precision", out var p) && p.ValueKind == JsonValueKind.String && p.GetString() == "single" ? "single" : "double";
            return (multiscale, precision);
        }
        catch (JsonException)
        {
            return (false, "double");
        }
    }

    /// <summary>
    /// A sampling job. Per sample on its particle shard: the source row, the position and the sampler's stage velocities
    /// (up to seven vectors of d); per data point (empirical target) on its data shard: d coordinates and a weight; the
    /// coordinator gathers the samples at the end.
    /// </summary>
    public static JobDemand Sampling(SamplingJobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        long count = spec.Count, data = spec.Target == "empirical" ? spec.DataCount : 0, d = spec.Dimension;
        var particleShards = Math.Max(1, Math.Min(spec.ParticleShards, count));
        var dataShards = Math.Max(1, Math.Min(spec.DataShards, Math.Max(data, 1)));
        var bytes = Saturating(((double)count * 10 * d * Float64) + ((double)data * (d + 1) * Float64));
        var largest = Math.Max(Ceiling(count, particleShards), Ceiling(data, dataShards));
        var detail = "the samples with their sampler stages, the data set, the gathered samples";
        return new JobDemand(count + data, string.Create(CultureInfo.InvariantCulture, $"{count} samples + {data} data points"), largest, spec.Dimension, bytes, detail);
    }

    private static long Ceiling(long count, long blocks) => (count + blocks - 1) / blocks;

    /// <summary>The sum computed in double where it could pass long's range (a refused spec, not a real job).</summary>
    private static long Saturating(double bytes) => bytes >= long.MaxValue ? long.MaxValue : (long)bytes;
}
