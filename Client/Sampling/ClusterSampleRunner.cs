using System.Globalization;
using Transport.Grains;
using Transport.Grains.Interfaces;
using Transport.Numerics.Geometry;
using Transport.Numerics.Sampling;

namespace Transport.Client.Sampling;

/// <summary>
/// Runs a <see cref="SampleRequest"/> on a cluster (an embedded silo in this process, or <c>--cluster</c>): the
/// target's data are spread over <see cref="SampleRequest.Shards"/> data shards, the particles over
/// <see cref="SampleRequest.ParticleShards"/> particle shards, and the coordinator runs the same sampling driver as
/// the single-process path. An <c>ot</c> coupling is solved by the cluster's distributed Sinkhorn solver (one job
/// over all the pairs, not per shard) before the sampling runs.
/// </summary>
internal sealed class ClusterSampleRunner : ISampleRunner, IAsyncDisposable
{
    private readonly ClusterEndpoint? _cluster;
    private readonly bool _verbose;
    private readonly ConsoleTelemetry? _telemetry;
    private readonly SamplingPlanCache _plans;
    private ClusterConnection? _connection;
    private int _couplingJobs;

    /// <summary>Creates the runner; the connection opens on the first run.</summary>
    public ClusterSampleRunner(ClusterEndpoint? cluster, bool verbose, ConsoleTelemetry? telemetry = null)
    {
        _cluster = cluster;
        _verbose = verbose;
        _telemetry = telemetry;
        _plans = new SamplingPlanCache(SolveOnClusterAsync);
    }

    /// <inheritdoc />
    public async Task<SampleRunResult> RunAsync(SampleRequest request, int steps, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var grains = await GrainsAsync(ct);
        var plan = await _plans.GetAsync(request, ct);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var target = plan.Target;
        var kind = plan.Pairs is not null ? "pairs" : target.Kind == SampleTarget.Data ? "empirical" : target.Kind;
        var spec = SamplingJobSpec.From(kind, request.Dimension, request.Count, SamplingPlan.Options(request, steps)) with
        {
            DataShards = kind == "empirical" ? request.Shards : 1,
            ParticleShards = request.ParticleShards,
            UploadedNoise = plan.NoiseIsCustom,
            Schedule = request.Schedule,
            DataCount = kind == "empirical" ? target.Count : 0,
            Mean = kind == "gaussian" ? target.Means[0] : [],
            Covariance = kind == "gaussian" ? target.Covariances[0] : [],
            MixtureWeights = kind == "mixture" ? target.Weights : [],
            MixtureMeans = kind == "mixture" ? target.Means.SelectMany(m => m).ToArray() : [],
            MixtureCovariances = kind == "mixture" ? target.Covariances.SelectMany(c => c).ToArray() : [],
            PairSources = plan.Pairs?.Sources ?? [],
            PairTargets = plan.Pairs?.Targets ?? [],
            PairBandwidth = request.CouplingBandwidth,
        };
        var data = kind == "empirical" ? target.Points! : [];
        var weights = kind == "empirical" ? target.Weights : [];
        var noise = plan.NoiseIsCustom ? plan.Noise : [];
        var output = await SamplingJobClient.RunAsync(grains, spec, data, weights, noise, null, ct);
        var y = output.Samples;
        return new SampleRunResult(plan.Unwhiten(request, y), output.Result.Evaluations, clock.Elapsed.TotalSeconds)
        {
            KineticEnergy = output.Result.KineticEnergy,
            Displacement = plan.Displacement(y),
            Steps = output.Result.Steps,
        };
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
            _connection = null;
        }
    }

    private async Task<IGrainFactory> GrainsAsync(CancellationToken ct)
    {
        _connection ??= await ClusterConnection.OpenAsync(_cluster, _verbose, _telemetry, ct);
        return _connection.GrainFactory;
    }

    private async Task<double[]> SolveOnClusterAsync(double[] sources, double[] targets, int dimension, double epsilon, CancellationToken ct)
    {
        var grains = await GrainsAsync(ct);
        var count = sources.Length / dimension;
        var spec = new SinkhornJobSpec
        {
            SourceCount = count,
            TargetCount = targets.Length / dimension,
            Dimension = dimension,
            Epsilon = epsilon,
            Shards = Math.Min(4, count),
        };
        var id = string.Create(CultureInfo.InvariantCulture, $"coupling-{Guid.NewGuid():N}-{Interlocked.Increment(ref _couplingJobs)}");
        var source = PointCloud.Create(sources, count, dimension, field: "coupling-sources");
        var target = PointCloud.Create(targets, targets.Length / dimension, dimension, field: "coupling-targets");
        var output = await new SinkhornJobClient(grains).RunAsync(id, spec, source, target, cancellationToken: ct);
        return output.Map;
    }
}
