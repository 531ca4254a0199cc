using Orleans.Placement;
using System.Diagnostics;
using Transport.Grains.Interfaces;
using Transport.Numerics.Sampling;

namespace Transport.Grains;

/// <summary>
/// A block of a sampling run's data. The reduction is the engine's <see cref="IDenoisingDataBlock"/> (for empirical
/// data the same <see cref="EmpiricalDataBlock"/> the single-process target uses); this grain stores the uploaded
/// rows, lays the block out once and answers reductions off the grain scheduler, concurrently (the block is
/// read-only once prepared).
/// </summary>
// Shards spread over the silos (fewest activations first) rather than gathering on their caller's silo: a job's
// shards are what lets it use the cluster, and a silo's loss then costs only its share of them.
[ActivationCountBasedPlacement]
public sealed partial class SamplingDataShardGrain() : TrafficCountedGrain("sampling-data-shard"), ISamplingDataShardGrain
{
    private SamplingDataShardSetup? setup;
    private double[] points = [];
    private double[] weights = [];
    private IDenoisingDataBlock? block;

    // The total weight the block was prepared with (sealed with it).
    private double preparedTotal;

    // A shard asked to work without a setup is a new activation: its silo was lost (or it was released).
    private SamplingDataShardSetup Setup => setup ?? throw new ShardStateLostException($"data shard {this.GetPrimaryKeyString()} holds no block (a new activation: its silo was lost, or it was released)");

    /// <inheritdoc />
    public Task InitializeAsync(SamplingDataShardSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        if (setup.Rows < 1 || setup.Dimension < 1)
        {
            throw new ArgumentException($"a data block of {setup.Rows} x {setup.Dimension} is empty", nameof(setup));
        }

        this.setup = setup;
        points = new double[(long)setup.Rows * setup.Dimension];
        weights = new double[setup.Rows];
        block = null;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task LoadAsync(int offset, FloatBlock points, FloatBlock weights)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(weights);
        var (rows, d) = (Setup.Rows, Setup.Dimension);
        if (block is not null)
        {
            throw new InvalidOperationException("the data shard is prepared; initialise it again to load new data");
        }

        if (offset < 0 || (long)offset + points.Rows > rows || points.Columns != d || weights.Rows != points.Rows || weights.Columns != 1)
        {
            throw new ArgumentException($"rows [{offset}, {(long)offset + points.Rows}) do not fit a data block of {rows} x {d}");
        }

        points.Values.CopyTo(this.points.AsSpan(offset * d));
        weights.Values.CopyTo(this.weights.AsSpan(offset));
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task PrepareAsync(double totalWeight)
    {
        if (!(totalWeight > 0.0) || !double.IsFinite(totalWeight))
        {
            throw new ArgumentOutOfRangeException(nameof(totalWeight), $"total weight {totalWeight} must be positive and finite");
        }

        // The data live here for the whole run.
        DelayDeactivation(TimeSpan.FromHours(24));
        preparedTotal = totalWeight;
        var d = Setup.Dimension;
        var kind = Setup.Kind;
        var rawPoints = points;
        var rawWeights = weights;

        block = await Task.Run(() =>
        {
            var logWeights = EmpiricalDataBlock.NormalisedLogWeights(rawWeights, totalWeight);
            return kind switch
            {
                SamplingDataKind.Empirical => (IDenoisingDataBlock)new EmpiricalDataBlock(rawPoints, logWeights, d),
                _ => throw new InvalidOperationException($"unknown data block kind {kind}"),
            };
        });
    }

    /// <inheritdoc />
    public async Task<FloatBlock> ReduceAsync(double a, double b, FloatBlock queries)
    {
        ArgumentNullException.ThrowIfNull(queries);
        var prepared = block ?? (setup is null ? throw new ShardStateLostException($"data shard {this.GetPrimaryKeyString()} holds no block (a new activation: its silo was lost)") : throw new InvalidOperationException("data shard not prepared"));
        if (queries.Columns != prepared.Dimension)
        {
            throw new ArgumentException($"queries have {queries.Columns} coordinates, the data {prepared.Dimension}", nameof(queries));
        }

        var started = Stopwatch.GetTimestamp();
        var packed = await Task.Run(() => PackedPartials.Pack(prepared.Reduce(a, b, queries.Values)));
        TransportTelemetry.KernelEvaluations.Add((long)queries.Rows * prepared.Count, new KeyValuePair<string, object?>("precision", "double"));
        TransportTelemetry.StepDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("operation", "sampling-reduce"));
        return packed;
    }

    /// <inheritdoc />
    public async Task ReleaseShardAsync()
    {
        // The activation goes, and with it every array it holds (and what it stored).
        await ClearStoredAsync();
        DeactivateOnIdle();
    }
}
