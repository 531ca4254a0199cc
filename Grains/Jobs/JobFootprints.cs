using System.Globalization;
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
    /// integrator (a step count unknown in advance) the first and the last.
    /// </summary>
    public static JobDemand Flow(FlowJobSpec spec, FlowOptions options)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        long n = spec.Count, d = spec.Dimension;
        var shards = Math.Max(1, Math.Min(spec.Shards, n));
        var snapshots = options.Integrator == FlowIntegrator.Adaptive ? 2 : ((long)options.FixedStepCount() / options.SnapshotEvery) + 2;
        var bytes = Saturating(((double)n * ((8 * d) + 1) * Float64) + ((double)n * (d + 1) * Float64) + ((double)snapshots * n * d * Float64));
        var detail = string.Create(CultureInfo.InvariantCulture, $"the particles with their integrator stages, and {snapshots} snapshots of the trajectory");
        return new JobDemand(n, string.Create(CultureInfo.InvariantCulture, $"{n} particles"), Ceiling(n, shards), spec.Dimension, bytes, detail);
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
