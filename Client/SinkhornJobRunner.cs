using System.Diagnostics;
using Transport.Grains.Interfaces;
using Transport.Numerics.Geometry;
using Transport.Numerics.Kernels;
using Transport.Numerics.Transport;

namespace Transport.Client;

/// <summary>What a completed job produced, downloaded from the coordinator.</summary>
/// <param name="ProblemId">The coordinator key.</param>
/// <param name="Result">Scalar results and history.</param>
/// <param name="F">Source potential, n values in input order.</param>
/// <param name="G">Target potential, m values in input order.</param>
/// <param name="Map">Barycentric map, n x d row-major.</param>
internal sealed record SinkhornRunOutput(string ProblemId, SinkhornJobResult Result, double[] F, double[] G, double[] Map);

/// <summary>
/// Drives one job through the coordinator protocol: create, upload both clouds in chunks, start, poll the status
/// (feeding the progress line), then download the result and the arrays in chunks. Cancelling the token cancels
/// the job in the cluster.
/// </summary>
internal sealed class SinkhornJobRunner
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan CancelTimeout = TimeSpan.FromSeconds(10);
    private readonly IGrainFactory grains;
    private readonly ProgressReporter progress;

    /// <summary>Creates a runner on <paramref name="grains"/>.</summary>
    public SinkhornJobRunner(IGrainFactory grains, ProgressReporter progress)
    {
        this.grains = grains;
        this.progress = progress;
    }

    /// <summary>The job specification for validated inputs.</summary>
    public static SinkhornJobSpec CreateSpec(SinkhornInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return new SinkhornJobSpec
        {
            SourceCount = inputs.Source.Count,
            TargetCount = inputs.Target.Count,
            Dimension = inputs.Source.Dimension,
            Epsilon = inputs.Options.Epsilon,
            Cost = inputs.Options.Cost.Name(),
            Tolerance = inputs.Options.Tolerance,
            MaxIterations = inputs.Options.MaxIterations,
            Scaling = inputs.Options.Scaling,
            CheckEvery = inputs.Options.CheckEvery,
            Precision = inputs.Options.Precision.Name(),
            Shards = inputs.Shards,
            Divergence = inputs.Divergence,
        };
    }

    /// <summary>Runs the job to its end. Throws <see cref="JobInputException"/>, <see cref="JobFailedException"/> or <see cref="OperationCanceledException"/>.</summary>
    public async Task<SinkhornRunOutput> RunAsync(SinkhornInputs inputs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var problemId = $"sinkhorn-{Guid.NewGuid():N}";
        var coordinator = grains.GetGrain<ISinkhornCoordinatorGrain>(problemId);
        var created = false;
        try
        {
            progress.Phase("sinkhorn: uploading the clouds");
            await coordinator.CreateAsync(CreateSpec(inputs)).WaitAsync(cancellationToken);
            created = true;
            await UploadAsync(coordinator, CloudSide.Source, inputs.Source, cancellationToken);
            await UploadAsync(coordinator, CloudSide.Target, inputs.Target, cancellationToken);
            await coordinator.StartAsync().WaitAsync(cancellationToken);
            var status = await WaitForEndAsync(coordinator, cancellationToken);
            switch (status.State)
            {
                case JobState.Completed:
                    break;
                case JobState.Cancelled:
                    throw new JobFailedException("the job was cancelled in the cluster");
                default:
                    throw new JobFailedException($"the job failed in the cluster: {status.Error ?? "no reason given"}");
            }

            var result = await coordinator.GetResultAsync().WaitAsync(cancellationToken);
            var d = inputs.Source.Dimension;
            var f = await DownloadAsync((offset, count) => coordinator.GetPotentialAsync(CloudSide.Source, offset, count), inputs.Source.Count, 1, "f", cancellationToken);
            var g = await DownloadAsync((offset, count) => coordinator.GetPotentialAsync(CloudSide.Target, offset, count), inputs.Target.Count, 1, "g", cancellationToken);
            var map = await DownloadAsync(coordinator.GetMapAsync, inputs.Source.Count, d, "map", cancellationToken);
            return new SinkhornRunOutput(problemId, result, f, g, map);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            if (created)
            {
                await TryCancelAsync(coordinator);
            }

            throw;
        }
    }

    private static async Task UploadAsync(ISinkhornCoordinatorGrain coordinator, CloudSide side, PointCloud cloud, CancellationToken cancellationToken)
    {
        var d = cloud.Dimension;
        var rowsPerChunk = FloatBlock.RowsPerChunk(d);
        for (var offset = 0; offset < cloud.Count; offset += rowsPerChunk)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var rows = Math.Min(rowsPerChunk, cloud.Count - offset);
            var positions = FloatBlock.From(cloud.Positions.Slice(offset * d, rows * d), rows, d);
            var weights = FloatBlock.From(cloud.Weights.Slice(offset, rows), rows, 1);
            await coordinator.UploadAsync(side, offset, positions, weights).WaitAsync(cancellationToken);
        }
    }

    private async Task<SinkhornJobStatus> WaitForEndAsync(ISinkhornCoordinatorGrain coordinator, CancellationToken cancellationToken)
    {
        while (true)
        {
            var status = await coordinator.GetStatusAsync().WaitAsync(cancellationToken);
            if (status.State is JobState.Completed or JobState.Failed or JobState.Cancelled)
            {
                return status;
            }

            progress.Report(status);
            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    private static async Task<double[]> DownloadAsync(Func<int, int, Task<FloatBlock>> fetch, int rows, int columns, string name, CancellationToken cancellationToken)
    {
        var values = new double[(long)rows * columns];
        var rowsPerChunk = FloatBlock.RowsPerChunk(columns);
        for (var offset = 0; offset < rows; offset += rowsPerChunk)
        {
            var count = Math.Min(rowsPerChunk, rows - offset);
            var block = await fetch(offset, count).WaitAsync(cancellationToken);
            if (block.Rows != count || block.Columns != columns)
            {
                throw new JobFailedException($"the cluster returned a {block.Rows} x {block.Columns} block of {name} for rows {offset}..{offset + count - 1}, expected {count} x {columns}");
            }

            block.Values.CopyTo(values.AsSpan(offset * columns, count * columns));
        }

        return values;
    }

    private static async Task TryCancelAsync(ISinkhornCoordinatorGrain coordinator)
    {
        try
        {
            await coordinator.CancelAsync().WaitAsync(CancelTimeout);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The user asked to stop: a cluster that cannot be told is not a reason to hang or to fail differently.
            Debug.WriteLine($"cancelling the job failed: {ex.Message}");
        }
    }
}
