using Transport.Grains.Interfaces;
using Transport.Numerics.Flows;
using static Transport.Grains.Tests.Hostile.HostileGrainContext;

namespace Transport.Grains.Tests.Hostile;

/// <summary>Malformed flow, sampling and sampling-study requests.</summary>
internal static partial class HostileGrainCalls
{
    private static IEnumerable<HostileGrainCall> Flows =>
    [
        CreateFlow("flow spec: no model", "model", Flow with { Model = null! }),
        CreateFlow("flow spec: unknown model", "model", Flow with { Model = new FlowModelSpec { Name = "teleport" } }),
        CreateFlow("flow spec: n = 0", "initial", Flow with { Count = 0 }),
        CreateFlow("flow spec: dimension 0", "dim", Flow with { Dimension = 0 }),
        CreateFlow("flow spec: step NaN", "step", Flow with { Step = double.NaN }),
        CreateFlow("flow spec: t_end negative", "t_end", Flow with { EndTime = -1 }),
        CreateFlow("flow spec: shards 10^9", "shards", Flow with { Shards = 1_000_000_000 }),
        CreateFlow("flow spec: snapshot_every 0", "snapshot_every", Flow with { SnapshotEvery = 0 }),
        CreateFlow("flow spec: rtol 1e-300, below float64 resolution", "rtol", Flow with { Integrator = FlowIntegrator.Adaptive, RelativeTolerance = 1e-300 }),
        CreateFlow("flow spec: undefined integrator", "integrator", Flow with { Integrator = (FlowIntegrator)99 }),
        CreateFlow("flow spec: model built for another dimension", "initial", Flow with { Model = Flow.Model with { Dimension = 3 } }),
        CreateFlow("flow spec: data names not matching the data blocks", "model", MmdFlow with { Model = MmdFlow.Model with { DataNames = [CatalogFlowModels.Target] } }),
        CreateFlow("flow spec: n x d past the largest array", "initial", Flow with { Count = 1 << 30, Dimension = 4 }),
        CreateFlow("flow spec: a data block named twice", "model", MmdFlow with { Model = MmdFlow.Model with { DataNames = [CatalogFlowModels.Target, CatalogFlowModels.Target] } }),
        CreateFlow("flow spec: a data block of a name no model reads", "model", MmdFlow with { Model = MmdFlow.Model with { DataNames = [CatalogFlowModels.Target, "colour"] } }),
        CreateFlow("flow spec: null data names", "model", MmdFlow with { Model = MmdFlow.Model with { DataNames = null! } }),
        CreateFlow("flow spec: target weights for fewer points", "target-weights", MmdFlow with { Model = MmdFlow.Model with { Data = [Rows(3, 2, 1.0), Weights(2, 0.5)] } }),
        CreateFlow("flow spec: training targets for fewer rows than inputs", "targets", Flow with
        {
            Dimension = 4,
            Model = new FlowModelSpec
            {
                Name = "mean-field-network",
                ParametersJson = """{"model": "mean-field-network", "activation": "relu"}""",
                Data = [Rows(5, 3, 0.0), Rows(4, 1, 0.0)],
                DataNames = [CatalogFlowModels.Inputs, CatalogFlowModels.Targets],
            },
        }),
        CreateFlow("flow spec: malformed parameters JSON", "specification", MmdFlow with { Model = MmdFlow.Model with { ParametersJson = """{"model": "mmd-flow", """ } }),
        CreateFlow("flow spec: unknown parameter", "colour", MmdFlow with { Model = MmdFlow.Model with { ParametersJson = """{"model": "mmd-flow", "length_scale": 1, "colour": "red"}""" } }),
        CreateFlow("flow spec: parameter given twice", "length_scale", MmdFlow with { Model = MmdFlow.Model with { ParametersJson = """{"model": "mmd-flow", "length_scale": 1, "length_scale": -1}""" } }),
        Input("flow upload: weights for fewer rows", "weights", async c => await (await c.CreatedFlowAsync()).UploadAsync(0, Rows(4, 2, 0), Weights(3, 0.25))),
        Input("flow upload: negative weight", "weights", async c => await (await c.CreatedFlowAsync()).UploadAsync(0, Rows(2, 2, 0), FloatBlock.FromVector([0.75, -0.25]))),
        Input("flow upload: weights block declaring 4 rows, carrying 2", "weights", async c => await (await c.CreatedFlowAsync()).UploadAsync(0, Rows(4, 2, 0), Forged(4, 1, [0.25, 0.25]))),
        CreateFlow("flow spec: model data block declaring 30 rows, carrying 6 values", "target", MmdFlow with { Model = MmdFlow.Model with { Data = [Forged(30, 2, [1, 1, 1, 2, 2, 2]), Weights(3, 1.0 / 3)] } }),
        Input("flow upload: NaN coordinate", "initial", async c => await (await c.CreatedFlowAsync()).UploadAsync(0, RowsWith(4, 2, 5, double.NaN), Weights(4, 0.25))),
        Input("flow start: before the upload completes", "initial", async c =>
        {
            var flow = await c.CreatedFlowAsync();
            await flow.UploadAsync(0, Rows(2, 2, 0), Weights(2, 0.25));
            await flow.StartAsync();
        }),
        State("flow: final positions before completion", "no result", async c => await (await c.CreatedFlowAsync()).GetFinalPositionsAsync(0, 1)),
        OutOfRange("flow: snapshot past the last", "snapshot", async c => await (await c.CompletedFlowAsync()).GetSnapshotAsync(1_000_000, 0, 1)),
        OutOfRange("flow: snapshot times offset + count past int.MaxValue", "offset", async c => await (await c.CompletedFlowAsync()).GetSnapshotTimesAsync(int.MaxValue, 1)),
        OutOfRange("flow: diagnostics offset + count past int.MaxValue", "offset", async c => await (await c.CompletedFlowAsync()).GetDiagnosticsAsync(int.MaxValue - 1, 5)),
    ];

    private static IEnumerable<HostileGrainCall> Sampling =>
    [
        CreateSampling("sampling spec: unknown target", "target", HostileGrainContext.Sampling with { Target = "kde" }),
        CreateSampling("sampling spec: n = 0", "particles", HostileGrainContext.Sampling with { Count = 0 }),
        CreateSampling("sampling spec: 10^9 steps", "steps", HostileGrainContext.Sampling with { Steps = 1_000_000_000 }),
        CreateSampling("sampling spec: null mean", "mean", HostileGrainContext.Sampling with { Mean = null! }),
        CreateSampling("sampling spec: mean 1e300", "mean", HostileGrainContext.Sampling with { Mean = [1e300, 0.0] }),
        CreateSampling("sampling spec: covariance not positive definite", "covariance", HostileGrainContext.Sampling with { Covariance = [1.0, 2.0, 2.0, 1.0] }),
        CreateSampling("sampling spec: dimension 10^7", "dimension", HostileGrainContext.Sampling with { Dimension = 10_000_000, Mean = new double[10_000_000], Covariance = [] }),
        CreateSampling("sampling spec: 2^30 particles", "particles", HostileGrainContext.Sampling with { Count = 1 << 30 }),
        CreateSampling("sampling spec: end NaN", "end", HostileGrainContext.Sampling with { End = double.NaN }),
        CreateSampling("sampling spec: adaptive rtol 1e-300", "rtol", HostileGrainContext.Sampling with { Sampler = "adaptive", RelativeTolerance = 1e-300, AbsoluteTolerance = 1e-300 }),
        Input("sampling upload: data for a Gaussian target", "data", async c => await (await c.CreatedSamplingAsync()).UploadDataAsync(0, Rows(2, 2, 0), Weights(2, 1.0))),
        Input("sampling upload: zero data weight", "data-weights", async c => await (await c.CreatedSamplingAsync(Empirical)).UploadDataAsync(0, Rows(3, 2, 0), FloatBlock.FromVector([1.0, 0.0, 1.0]))),
        Input("sampling upload: data coordinate 1e300", "data", async c => await (await c.CreatedSamplingAsync(Empirical)).UploadDataAsync(0, RowsWith(3, 2, 4, 1e300), Weights(3, 1.0))),
        Input("sampling upload: data block declaring 3 rows, carrying 1", "data", async c => await (await c.CreatedSamplingAsync(Empirical)).UploadDataAsync(0, Forged(3, 2, [0.0, 1.0]), Weights(3, 1.0))),
        Input("study upload: noise block declaring 10 rows, carrying 0", "noise", async c => await (await c.CreatedStudyAsync(Study with { UploadedNoise = true })).UploadNoiseAsync(0, Forged(10, 2, []))),
        Input("sampling upload: noise the spec does not take", "noise", async c => await (await c.CreatedSamplingAsync()).UploadNoiseAsync(0, Rows(10, 2, 0))),
        Input("sampling upload: noise coordinate -1e300", "noise", async c =>
            await (await c.CreatedSamplingAsync(HostileGrainContext.Sampling with { UploadedNoise = true })).UploadNoiseAsync(0, RowsWith(10, 2, 7, -1e300))),
        State("sampling: samples before completion", "no result", async c => await (await c.CreatedSamplingAsync()).GetSamplesAsync(0, 1)),
        OutOfRange("sampling: samples offset + count past int.MaxValue", "offset", async c => await (await c.CompletedSamplingAsync()).GetSamplesAsync(int.MaxValue - 1, 3)),
    ];

    private static IEnumerable<HostileGrainCall> Studies =>
    [
        CreateStudy("study spec: steps descending", "steps", Study with { Steps = [8, 4] }),
        CreateStudy("study spec: null steps", "steps", Study with { Steps = null! }),
        CreateStudy("study spec: null component weights", "target", Study with { ComponentWeights = null! }),
        CreateStudy("study spec: mean 1e300", "target.mean", Study with { Means = [1e300, 0.0] }),
        CreateStudy("study spec: data target of dimension int.MaxValue", "Transport:MaxDimension", Study with { Target = "data", ComponentWeights = [], Means = [], Covariances = [], DataCount = 10, Dimension = int.MaxValue }),
        CreateStudy("study spec: adaptive tolerance 1e-300", "tolerance", Study with { Sampler = "adaptive", Steps = [0], Tolerance = 1e-300 }),
        CreateStudy("study spec: 10^9 coupling pairs", "coupling-pairs", Study with { Coupling = "ot", Sampler = "euler", CouplingPairs = 1_000_000_000 }),
        CreateStudy("study spec: 10^9 samples", "n", Study with { Count = 1_000_000_000 }),
        CreateStudy("study spec: delta NaN", "delta", Study with { Delta = double.NaN }),
        State("study: result before completion", "no result", async c =>
        {
            var study = c.Fresh<ISampleStudyCoordinatorGrain>("study");
            await study.CreateAsync(Study);
            await study.GetResultAsync();
        }),
    ];

    /// <summary>A sampling spec whose target is an uploaded data set of three points.</summary>
    private static SamplingJobSpec Empirical => HostileGrainContext.Sampling with { Target = "empirical", Mean = [], Covariance = [], DataCount = 3 };

    private static HostileGrainCall CreateFlow(string name, string field, FlowJobSpec spec) =>
        Input(name, field, c => c.Fresh<IFlowCoordinatorGrain>("flow-spec").CreateAsync(spec));

    private static HostileGrainCall CreateSampling(string name, string field, SamplingJobSpec spec) =>
        Input(name, field, c => c.Fresh<ISamplingCoordinatorGrain>("sampling-spec").CreateAsync(spec));

    private static HostileGrainCall CreateStudy(string name, string field, SampleStudySpec spec) =>
        Input(name, field, c => c.Fresh<ISampleStudyCoordinatorGrain>("study-spec").CreateAsync(spec));
}
