using Transport.Grains.Interfaces;
using Transport.Numerics.Flows;
using Transport.Numerics.Sampling;
using Transport.Numerics.Sampling.Study;
using Transport.Numerics.Transport;

namespace Transport.Grains.Tests.Hostile;

/// <summary>
/// The jobs a malformed call is aimed at: fresh ones in a given state (created, cancelled, released, completed) under
/// ids of their own, and one running job (the legitimate job in flight, or an endless one started on demand). Every job
/// it made is cancelled and released when it is disposed, so a case leaves nothing behind but the running job it was given.
/// </summary>
internal sealed class HostileGrainContext(IGrainFactory grains, ISinkhornCoordinatorGrain? running) : IAsyncDisposable
{
    /// <summary>Points of the small Sinkhorn jobs the cases aim at (d = 2, two shards per cloud).</summary>
    public const int SourceCount = 6;

    /// <summary>Target points of the small Sinkhorn jobs.</summary>
    public const int TargetCount = 5;

    private readonly List<Func<Task>> cleanups = [];
    private ISinkhornCoordinatorGrain? endless;
    private ISinkhornCoordinatorGrain? completedSinkhorn;

    public IGrainFactory Grains => grains;

    /// <summary>A valid spec of the small Sinkhorn job.</summary>
    public static SinkhornJobSpec Sinkhorn => new() { SourceCount = SourceCount, TargetCount = TargetCount, Dimension = 2, Epsilon = 0.1, Shards = 2 };

    /// <summary>A valid spec of a small flow run (the affine test model, four particles in d = 2).</summary>
    public static FlowJobSpec Flow => new() { Model = FlowTestModels.AffineSpec(), Count = 4, Dimension = 2, Integrator = FlowIntegrator.Euler, Step = 0.1, EndTime = 0.3 };

    /// <summary>A valid spec of a small catalog flow run (an MMD flow towards three target points).</summary>
    public static FlowJobSpec MmdFlow => Flow with
    {
        Model = new FlowModelSpec
        {
            Name = "mmd-flow",
            ParametersJson = """{"model": "mmd-flow", "length_scale": 1}""",
            Data = [Rows(3, 2, 1.0), Weights(3, 1.0 / 3)],
            DataNames = [CatalogFlowModels.Target, CatalogFlowModels.TargetWeights],
        },
    };

    /// <summary>A valid spec of a small sampling run (a standard Gaussian target in d = 2, four Euler steps).</summary>
    public static SamplingJobSpec Sampling => SamplingJobSpec.From("gaussian", 2, 10, new SamplingOptions { Sampler = SamplerKind.Euler, Steps = 4, End = 0.9 }) with
    {
        Mean = [0.0, 0.0],
        Covariance = [1.0, 0.0, 0.0, 1.0],
    };

    /// <summary>A valid spec of a small sampling study (a Gaussian target, one Heun run of four steps).</summary>
    public static SampleStudySpec Study => SampleStudySpec.From(
        new SampleRequest
        {
            Target = new SampleTarget(SampleTarget.Gaussian, 2, [1.0], [[1.0, -1.0]], [[2.0, 0.3, 0.3, 0.5]], null),
            Schedule = "linear",
            Sampler = "heun",
            Grid = "uniform",
            Delta = 1e-3,
            Eta = 0.0,
            Diffusion = 1.0,
            CorrectorSteps = 0,
            CorrectorSnr = 0.16,
            Snap = false,
            Seed = 5,
            Coupling = "independent",
            Shards = 1,
            ParticleShards = 1,
            Tolerance = 1e-6,
            CouplingPairs = 10,
            Count = 10,
        },
        [4]);

    /// <summary>A running Sinkhorn job: the one given, or an endless one started now (cancelled and released on dispose).</summary>
    public async Task<ISinkhornCoordinatorGrain> RunningAsync()
    {
        if (running is not null)
        {
            return running;
        }

        if (endless is null)
        {
            var (source, target) = Problems.Clouds(60, 60, 2, seed: 21);
            var spec = new SinkhornJobSpec { SourceCount = 60, TargetCount = 60, Dimension = 2, Epsilon = 1e-6, Tolerance = 1e-300, MaxIterations = 1_000_000, Scaling = 1, Shards = 2 };
            endless = await new SinkhornJobClient(grains).SubmitAsync(NewId("running"), spec, source, target);
            Track(endless);
        }

        return endless;
    }

    /// <summary>A fresh Sinkhorn job, created with <paramref name="spec"/> (default <see cref="Sinkhorn"/>) and not started.</summary>
    public async Task<ISinkhornCoordinatorGrain> CreatedSinkhornAsync(SinkhornJobSpec? spec = null)
    {
        var job = Track(grains.GetGrain<ISinkhornCoordinatorGrain>(NewId("sinkhorn")));
        await job.CreateAsync(spec ?? Sinkhorn);
        return job;
    }

    /// <summary>
    /// A fresh Sinkhorn job created with <paramref name="spec"/> (default <see cref="Sinkhorn"/>) whose uploads are complete,
    /// with uniform weights and <paramref name="target"/> rows.
    /// </summary>
    public async Task<ISinkhornCoordinatorGrain> UploadedSinkhornAsync(FloatBlock target, SinkhornJobSpec? spec = null)
    {
        var job = await CreatedSinkhornAsync(spec);
        await job.UploadAsync(CloudSide.Source, 0, Rows(SourceCount, 2, 0.0), Weights(SourceCount, 1.0 / SourceCount));
        await job.UploadAsync(CloudSide.Target, 0, target, Weights(TargetCount, 1.0 / TargetCount));
        return job;
    }

    /// <summary>A fresh Sinkhorn job that was created and then cancelled before its start.</summary>
    public async Task<ISinkhornCoordinatorGrain> CancelledSinkhornAsync()
    {
        var job = await CreatedSinkhornAsync();
        await job.CancelAsync();
        return job;
    }

    /// <summary>A fresh Sinkhorn job that was created and then released.</summary>
    public async Task<ISinkhornCoordinatorGrain> ReleasedSinkhornAsync()
    {
        var job = await CreatedSinkhornAsync();
        await job.ReleaseAsync();
        return job;
    }

    /// <summary>A completed small Sinkhorn job (run once per context).</summary>
    public async Task<ISinkhornCoordinatorGrain> CompletedSinkhornAsync()
    {
        if (completedSinkhorn is null)
        {
            var (source, target) = Problems.Clouds(SourceCount, TargetCount, 2, seed: 22);
            var id = NewId("completed");
            completedSinkhorn = Track(grains.GetGrain<ISinkhornCoordinatorGrain>(id));
            _ = await new SinkhornJobClient(grains).RunAsync(id, Sinkhorn, source, target);
        }

        return completedSinkhorn;
    }

    /// <summary>A fresh flow run created with <paramref name="spec"/> (default <see cref="Flow"/>) and not started.</summary>
    public async Task<IFlowCoordinatorGrain> CreatedFlowAsync(FlowJobSpec? spec = null)
    {
        var job = Track(grains.GetGrain<IFlowCoordinatorGrain>(NewId("flow")));
        await job.CreateAsync(spec ?? Flow);
        return job;
    }

    /// <summary>A completed small flow run.</summary>
    public async Task<IFlowCoordinatorGrain> CompletedFlowAsync()
    {
        var id = NewId("flow-completed");
        var job = Track(grains.GetGrain<IFlowCoordinatorGrain>(id));
        _ = await new FlowJobClient(grains).RunAsync(id, Flow, Rows(4, 2, 0.0).Values.ToArray(), ReadOnlyMemory<double>.Empty);
        return job;
    }

    /// <summary>A fresh sampling run created with <paramref name="spec"/> (default <see cref="Sampling"/>) and not started.</summary>
    public async Task<ISamplingCoordinatorGrain> CreatedSamplingAsync(SamplingJobSpec? spec = null)
    {
        var job = Track(grains.GetGrain<ISamplingCoordinatorGrain>(NewId("sampling")));
        await job.CreateAsync(spec ?? Sampling);
        return job;
    }

    /// <summary>A fresh sampling study created with <paramref name="spec"/> (default <see cref="Study"/>) and not started.</summary>
    public async Task<ISampleStudyCoordinatorGrain> CreatedStudyAsync(SampleStudySpec? spec = null)
    {
        var job = Track(grains.GetGrain<ISampleStudyCoordinatorGrain>(NewId("study")));
        await job.CreateAsync(spec ?? Study);
        return job;
    }

    /// <summary>A completed small sampling run.</summary>
    public async Task<ISamplingCoordinatorGrain> CompletedSamplingAsync()
    {
        var id = NewId("sampling-completed");
        var job = Track(grains.GetGrain<ISamplingCoordinatorGrain>(id));
        _ = await SamplingJobClient.RunAsync(grains, id, Sampling, ReadOnlyMemory<double>.Empty, ReadOnlyMemory<double>.Empty, ReadOnlyMemory<double>.Empty);
        return job;
    }

    /// <summary>A coordinator grain of kind <typeparamref name="T"/> under a fresh id (released on dispose).</summary>
    public T Fresh<T>(string kind)
        where T : IGrainWithStringKey
    {
        var grain = grains.GetGrain<T>(NewId(kind));
        cleanups.Add(() => Release(grain));
        return grain;
    }

    /// <summary><paramref name="rows"/> x <paramref name="columns"/> distinct coordinates starting at <paramref name="start"/>.</summary>
    public static FloatBlock Rows(int rows, int columns, double start) =>
        FloatBlock.From([.. Enumerable.Range(0, rows * columns).Select(i => start + (0.1 * i))], rows, columns);

    /// <summary><paramref name="rows"/> weights, all <paramref name="weight"/>.</summary>
    public static FloatBlock Weights(int rows, double weight) => FloatBlock.FromVector([.. Enumerable.Repeat(weight, rows)]);

    /// <summary><paramref name="rows"/> x <paramref name="columns"/> coordinates with <paramref name="value"/> at flat index <paramref name="at"/>.</summary>
    public static FloatBlock RowsWith(int rows, int columns, int at, double value)
    {
        var values = Rows(rows, columns, 0.0).Values.ToArray();
        values[at] = value;
        return FloatBlock.From(values, rows, columns);
    }

    /// <summary>
    /// A block whose declared shape is <paramref name="rows"/> x <paramref name="columns"/> but which carries
    /// <paramref name="values"/>: what a client with a serializer of its own can send (the constructor refuses such a
    /// block, the deserializer does not call it), made here by writing the shape fields directly.
    /// </summary>
    public static FloatBlock Forged(int rows, int columns, double[] values)
    {
        var block = FloatBlock.FromVector(values);
        SetField(block, "<Rows>k__BackingField", rows);
        SetField(block, "<Columns>k__BackingField", columns);
        return block;
    }

    private static void SetField(FloatBlock block, string name, int value) =>
        (typeof(FloatBlock).GetField(name, System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)
            ?? throw new InvalidOperationException($"FloatBlock has no field {name}")).SetValue(block, value);

    public async ValueTask DisposeAsync()
    {
        foreach (var cleanup in cleanups)
        {
            await cleanup();
        }
    }

    private T Track<T>(T job)
        where T : IGrainWithStringKey
    {
        cleanups.Add(() => Release(job));
        return job;
    }

    private static async Task Release(IGrainWithStringKey grain)
    {
        // Cancel first: a release of a running job waits for nothing, and the run would still be stopping.
        switch (grain)
        {
            case ISinkhornCoordinatorGrain sinkhorn:
                await sinkhorn.CancelAsync();
                await sinkhorn.ReleaseAsync();
                break;
            case IFlowCoordinatorGrain flow:
                await flow.CancelAsync();
                await flow.ReleaseAsync();
                break;
            case ISamplingCoordinatorGrain sampling:
                await sampling.CancelAsync();
                await sampling.ReleaseAsync();
                break;
            case ISampleStudyCoordinatorGrain study:
                await study.CancelAsync();
                await study.ReleaseAsync();
                break;
            default:
                throw new ArgumentException($"no release for {grain.GetType()}", nameof(grain));
        }
    }

    private static string NewId(string kind) => $"hostile-{kind}-{Guid.NewGuid():N}";
}
