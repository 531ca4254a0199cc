using System.Diagnostics;
using System.Globalization;
using Transport.Grains.Interfaces;
using Transport.Numerics.Geometry;
using Transport.Numerics.Sampling;
using Transport.Numerics.Sampling.Study;

namespace Transport.Grains;

/// <summary>
/// The cluster's <see cref="ISampleRunner"/>: each run of a study is a sampling job (the target's data spread over
/// data shards, the particles over particle shards, the same driver as the single-process path), and an <c>ot</c>
/// coupling is one Sinkhorn job over all the pairs. Child jobs are named after the study
/// (<c>STUDY.run-K</c>, <c>STUDY.coupling</c>) and released as soon as their outputs are downloaded, so a study leaves
/// no shard behind.
/// </summary>
public sealed class GrainSampleRunner : ISampleRunner
{
    private readonly IGrainFactory _grains;
    private readonly string _studyId;
    private readonly Action<JobStatus<SamplingJobProgress>>? _progress;
    private readonly SamplingPlanCache _plans;
    private int _children;

    /// <summary>Creates the runner of study <paramref name="studyId"/>; <paramref name="progress"/> sees each child run's status.</summary>
    public GrainSampleRunner(IGrainFactory grains, string studyId, Action<JobStatus<SamplingJobProgress>>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(studyId);
        _grains = grains;
        _studyId = studyId;
        _progress = progress;
        _plans = new SamplingPlanCache(SolveCouplingAsync);
    }

    /// <summary>
    /// Whether a child job may already exist under the id a run takes (a study resumed after its coordinator's loss): it is
    /// released before the run creates its own.
    /// </summary>
    public bool ReplaceExisting { get; init; }

    /// <inheritdoc />
    public async Task<SampleRunResult> RunAsync(SampleRequest request, int steps, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var plan = await _plans.GetAsync(request, ct);
        var clock = Stopwatch.StartNew();
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
            Label = $"run of {_studyId}",
        };
        var data = kind == "empirical" ? target.Points! : [];
        var weights = kind == "empirical" ? target.Weights : [];
        var noise = plan.NoiseIsCustom ? plan.Noise : [];
        var id = ChildId("run");
        if (ReplaceExisting)
        {
            await ReleaseQuietlyAsync(_grains.GetGrain<ISamplingCoordinatorGrain>(id));
        }

        try
        {
            var output = await SamplingJobClient.RunAsync(_grains, id, spec, data, weights, noise, _progress, ct);
            var y = output.Samples;
            return new SampleRunResult(plan.Unwhiten(request, y), output.Result.Evaluations, clock.Elapsed.TotalSeconds)
            {
                KineticEnergy = output.Result.KineticEnergy,
                Displacement = plan.Displacement(y),
                Steps = output.Result.Steps,
                Messages = output.Result.Traffic.Messages,
                PayloadBytes = output.Result.Traffic.PayloadBytes,
                TrafficShards = output.Result.Traffic.Shards,
                TrafficIterations = output.Result.Traffic.Iterations,
            };
        }
        finally
        {
            await ReleaseQuietlyAsync(_grains.GetGrain<ISamplingCoordinatorGrain>(id));
        }
    }

    private async Task<double[]> SolveCouplingAsync(double[] sources, double[] targets, int dimension, double epsilon, CancellationToken ct)
    {
        var count = sources.Length / dimension;
        var spec = new SinkhornJobSpec
        {
            SourceCount = count,
            TargetCount = targets.Length / dimension,
            Dimension = dimension,
            Epsilon = epsilon,
            Shards = Math.Min(4, count),
            Label = $"coupling of {_studyId}",
        };
        var id = ChildId("coupling");
        if (ReplaceExisting)
        {
            await ReleaseQuietlyAsync(_grains.GetGrain<ISinkhornCoordinatorGrain>(id));
        }

        var source = PointCloud.Create(sources, count, dimension, field: "coupling-sources");
        var target = PointCloud.Create(targets, targets.Length / dimension, dimension, field: "coupling-targets");
        try
        {
            var output = await new SinkhornJobClient(_grains).RunAsync(id, spec, source, target, cancellationToken: ct);
            return output.Map;
        }
        finally
        {
            await ReleaseQuietlyAsync(_grains.GetGrain<ISinkhornCoordinatorGrain>(id));
        }
    }

    private string ChildId(string what) =>
        string.Create(CultureInfo.InvariantCulture, $"{_studyId}.{what}-{Interlocked.Increment(ref _children)}");

    private static async Task ReleaseQuietlyAsync<TSpec, TProgress, TResult>(IJobCoordinatorGrain<TSpec, TProgress, TResult> child)
    {
        try
        {
            await child.ReleaseAsync();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The registry's retention releases the child later; the study's own outcome is what matters here.
        }
    }
}
