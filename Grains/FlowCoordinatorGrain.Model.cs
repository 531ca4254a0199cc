using Microsoft.Extensions.DependencyInjection;
using System.Globalization;
using Transport.Grains.Interfaces;
using Transport.Numerics;
using Transport.Numerics.Flows;
using Transport.Numerics.Flows.Models;

namespace Transport.Grains;

/// <summary>
/// The flow job's model: validated with the spec, built from it (at once, or at the start when its data is uploaded in
/// chunks, <see cref="FlowModelSpec.Uploaded"/>), and run through Sinkhorn shards when it is a
/// Sinkhorn-divergence flow, dense or multiscale (<see cref="SinkhornFlowOnShards"/>).
/// </summary>
public sealed partial class FlowCoordinatorGrain
{
    /// <summary>
    /// Checks the spec (a <see cref="JobInputException"/> naming the field otherwise) and builds its model, unless its
    /// data is still to be uploaded (then the model is null).
    /// </summary>
    private (FlowOptions Options, IFlowModel? Model) Validate(FlowJobSpec spec)
    {
        try
        {
            if (spec.Model is null)
            {
                throw new InvalidInputException("model", "missing");
            }

            if (spec.Count <= 0)
            {
                throw new InvalidInputException("initial", $"no particles (n = {spec.Count})");
            }

            if (spec.Dimension <= 0)
            {
                throw new InvalidInputException("dim", $"must be positive, got {spec.Dimension}");
            }

            UploadChecks.CheckShards(spec.Shards);
            UploadChecks.CheckSize("initial", spec.Count, spec.Dimension);

            if (spec.Model.Dimension != 0 && spec.Model.Dimension != spec.Dimension)
            {
                throw new InvalidInputException("initial", $"particles have dimension {spec.Dimension}, the model was described for {spec.Model.Dimension}");
            }

            var flowOptions = spec.ToOptions();
            flowOptions.Validate();
            flowOptions.Eulerian?.Validate(spec.Dimension);
            if (flowOptions.Integrator != FlowIntegrator.Adaptive)
            {
                // Snapshots are kept (and downloaded) whole: refuse a run whose trajectory cannot fit.
                var snapshots = ((long)flowOptions.FixedStepCount() / flowOptions.SnapshotEvery) + 2;
                if (snapshots * spec.Count * spec.Dimension > MaxSnapshotValues)
                {
                    throw new InvalidInputException("snapshot_every", $"{snapshots} snapshots of {spec.Count} x {spec.Dimension} values exceed the limit of {MaxSnapshotValues} values; raise snapshot_every");
                }

                // The density grids are kept at every snapshot too (a histogram and a density estimate).
                if (flowOptions.Eulerian is { } eulerian)
                {
                    var cells = (long)eulerian.Grid * (spec.Dimension == 1 ? 1 : eulerian.Grid);
                    if (snapshots * 2 * cells > MaxSnapshotValues)
                    {
                        throw new InvalidInputException("eulerian.grid", $"{snapshots} snapshots of two {eulerian.Grid}-cell grids ({2 * cells} values) exceed the limit of {MaxSnapshotValues} values; raise snapshot_every or lower the grid");
                    }
                }
            }

            // Data inside the spec travels in every setup message: larger data goes up in chunks. (Null blocks from the
            // wire are the factory's to refuse.)
            var inlineBytes = spec.Model.Data?.Sum(block => (long)(block?.Bytes?.Length ?? 0)) ?? 0;
            if (inlineBytes > FlowModelSpec.MaxDataBytes)
            {
                throw new InvalidInputException("model", $"model: {inlineBytes} bytes of model data in the spec exceed the limit of {FlowModelSpec.MaxDataBytes}; upload it in chunks (FlowModelSpec.Uploaded)");
            }

            if (spec.Model.Uploaded is { Length: > 0 })
            {
                // The model is built at the start, once its uploaded data is in (BuildUploadedModelAsync).
                ModelDataUpload.CheckShapes(spec.Model);
                return (flowOptions, null);
            }

            return (flowOptions, Build(spec, flowOptions));
        }
        catch (InvalidInputException ex)
        {
            throw new JobInputException(ex.Field, ex.Message);
        }
    }

    /// <summary>Builds the model of a spec whose data is complete and checks it against the run.</summary>
    private IFlowModel Build(FlowJobSpec spec, FlowOptions flowOptions)
    {
        var built = models.Create(spec.Model with { Dimension = spec.Dimension });
        if (built.Dimension != spec.Dimension)
        {
            throw new InvalidInputException("initial", $"particles have dimension {spec.Dimension}, model '{built.Name}' needs {built.Dimension}");
        }

        var diffusion = built.Diffusion(0);
        if (flowOptions.Integrator != FlowIntegrator.EulerMaruyama && diffusion != 0)
        {
            throw new InvalidInputException("integrator", $"{FlowNames.Name(flowOptions.Integrator)} is deterministic but model '{built.Name}' has noise g(0) = {diffusion.ToString("R", CultureInfo.InvariantCulture)}; use euler-maruyama");
        }

        return built;
    }

    /// <summary>
    /// At the start of a job whose model data was uploaded in chunks: the model from the completed spec (an input error
    /// names the block or field), the weights a model that gathers them keeps, and, when the cluster keeps checkpoints,
    /// the data in storage so that a coordinator activated after a silo's loss can build the model again.
    /// </summary>
    private async Task BuildUploadedModelAsync(FlowJobSpec spec)
    {
        var data = modelData ?? throw new InvalidOperationException("the job has no model data upload");
        var full = spec with { Model = data.Complete(spec.Model) with { Dimension = spec.Dimension } };
        try
        {
            UseModel(Build(full, options!));
        }
        catch (InvalidInputException ex)
        {
            throw new JobInputException(ex.Field, ex.Message);
        }

        if (model!.PrepareNeedsAllPositions)
        {
            allWeights = await BlockTransfer.GatherAsync(offsets, 1, (k, start, rows) => shards[k].GetWeightsAsync(start, rows));
        }

        if (Checkpointing.Enabled)
        {
            for (var k = 0; k < data.Values.Count; k++)
            {
                await CoordinatorStore.SaveModelDataAsync(k, data.Values[k]);
            }
        }
    }

    /// <summary>
    /// The model when none is held (a new activation, or a fresh attempt that must not inherit the last one's warm
    /// starts): built from the spec, or, for data uploaded in chunks, from the data in storage.
    /// </summary>
    private async Task EnsureModelAsync()
    {
        if (model is not null)
        {
            return;
        }

        var shapes = Spec.Model.Uploaded;
        if (shapes.Length == 0)
        {
            UseModel(Build(Spec, options!));
            return;
        }

        var values = new List<double[]>(shapes.Length);
        for (var k = 0; k < shapes.Length; k++)
        {
            values.Add(await CoordinatorStore.LoadModelDataAsync(k));
        }

        var full = Spec with { Model = Spec.Model.WithUploadedData(values) with { Dimension = Spec.Dimension } };
        UseModel(Build(full, options!));
    }

    /// <summary>
    /// Runs <paramref name="built"/> as the job's model: a Sinkhorn-divergence flow (dense or multiscale) through its Sinkhorn shards
    /// (<see cref="SinkhornFlowOnShards"/>), any other model as it is. Needs <see cref="offsets"/>.
    /// </summary>
    private void UseModel(IFlowModel built)
    {
        sinkhornShards = SinkhornFlowOnShards.Applies(built)
            ? new SinkhornFlowOnShards((SinkhornDivergenceFlowModel)built, GrainFactory, this.GetPrimaryKeyString(), offsets)
            {
                Serializer = ServiceProvider.GetRequiredService<Orleans.Serialization.Serializer>(),
                ChunkBytes = Limits.InstallChunkBytes,
            }
            : null;
        model = sinkhornShards ?? built;
    }
}
