using Transport.Grains.Interfaces;
using Transport.Numerics.Transport;
using static Transport.Grains.Tests.Hostile.HostileGrainContext;

namespace Transport.Grains.Tests.Hostile;

/// <summary>Malformed Sinkhorn specs and uploads.</summary>
internal static partial class HostileGrainCalls
{
    private static IEnumerable<HostileGrainCall> SinkhornSpecs =>
    [
        Create("sinkhorn spec: n = 0", "source", Sinkhorn with { SourceCount = 0 }),
        Create("sinkhorn spec: m negative", "target", Sinkhorn with { TargetCount = -5 }),
        Create("sinkhorn spec: dimension 0", "dim", Sinkhorn with { Dimension = 0 }),
        Create("sinkhorn spec: dimension 10^7", "Transport:MaxDimension", Sinkhorn with { Dimension = 10_000_000 }),
        Create("sinkhorn spec: n x d past the largest array", "source", Sinkhorn with { SourceCount = 1 << 30, Dimension = 4 }),
        Create("sinkhorn spec: n + m past the points limit", "Transport:MaxPointsPerJob", Sinkhorn with { SourceCount = 30_000_000, TargetCount = 30_000_000, Dimension = 1, Shards = 64 }),
        Create("sinkhorn spec: shards 0", "shards", Sinkhorn with { Shards = 0 }),
        Create("sinkhorn spec: shards 10^9", "shards", Sinkhorn with { Shards = 1_000_000_000 }),
        Create("sinkhorn spec: epsilon NaN", "epsilon", Sinkhorn with { Epsilon = double.NaN }),
        Create("sinkhorn spec: epsilon negative", "epsilon", Sinkhorn with { Epsilon = -0.1 }),
        Create("sinkhorn spec: epsilon infinite", "epsilon", Sinkhorn with { Epsilon = double.PositiveInfinity }),
        Create("sinkhorn spec: tolerance negative", "tolerance", Sinkhorn with { Tolerance = -1e-6 }),
        Create("sinkhorn spec: max iterations negative", "max-iterations", Sinkhorn with { MaxIterations = -1 }),
        Create("sinkhorn spec: scaling NaN", "scaling", Sinkhorn with { Scaling = double.NaN }),
        Create("sinkhorn spec: check every 0", "check-every", Sinkhorn with { CheckEvery = 0 }),
        Create("sinkhorn spec: unknown cost", "cost", Sinkhorn with { Cost = "manhattan" }),
        Create("sinkhorn spec: null cost", "cost", Sinkhorn with { Cost = null! }),
        Create("sinkhorn spec: unknown precision", "precision", Sinkhorn with { Precision = "half" }),
        Create("sinkhorn spec: 17 multiscale levels", "levels", Sinkhorn with { Multiscale = true, Levels = 17 }),
        Create("sinkhorn spec: levels without multiscale", "levels", Sinkhorn with { Levels = 3 }),
        Create("sinkhorn spec: truncation NaN", "truncate", Sinkhorn with { Multiscale = true, Truncation = double.NaN }),
        Create("sinkhorn spec: label of a million characters", "label", Sinkhorn with { Label = new string('x', 1_000_000) }),
        Create("sinkhorn spec: label with a line break", "label", Sinkhorn with { Label = "nightly\nrun" }),
        Argument("sinkhorn spec: null", typeof(ArgumentNullException), "spec", c => c.Fresh<ISinkhornCoordinatorGrain>("null-spec").CreateAsync(null!)),
    ];

    private static IEnumerable<HostileGrainCall> SinkhornUploads =>
    [
        Upload("upload: NaN coordinate", "source", CloudSide.Source, 0, RowsWith(3, 2, 3, double.NaN), Weights(3, 1.0 / SourceCount)),
        Upload("upload: infinite target coordinate", "target", CloudSide.Target, 0, RowsWith(TargetCount, 2, 0, double.PositiveInfinity), Weights(TargetCount, 1.0 / TargetCount)),
        Upload("upload: negative weight", "source-weights", CloudSide.Source, 0, Rows(3, 2, 0), FloatBlock.FromVector([0.2, -0.1, 0.2])),
        Upload("upload: NaN weight", "target-weights", CloudSide.Target, 0, Rows(2, 2, 0), FloatBlock.FromVector([0.2, double.NaN])),
        Upload("upload: infinite weight", "source-weights", CloudSide.Source, 0, Rows(2, 2, 0), FloatBlock.FromVector([double.PositiveInfinity, 0.2])),
        Upload("upload: chunk three wide in d = 2", "source", CloudSide.Source, 0, Rows(3, 3, 0), Weights(3, 1.0 / SourceCount)),
        Upload("upload: weights for fewer rows", "source-weights", CloudSide.Source, 0, Rows(3, 2, 0), Weights(2, 1.0 / SourceCount)),
        Upload("upload: weights two columns wide", "target-weights", CloudSide.Target, 0, Rows(3, 2, 0), Rows(3, 2, 0.1)),
        Upload("upload: negative offset", "source", CloudSide.Source, -1, Rows(3, 2, 0), Weights(3, 1.0 / SourceCount)),
        Upload("upload: rows past the cloud's end", "target", CloudSide.Target, 3, Rows(3, 2, 0), Weights(3, 1.0 / TargetCount)),
        Upload("upload: offset near int.MaxValue", "source", CloudSide.Source, int.MaxValue - 1, Rows(3, 2, 0), Weights(3, 1.0 / SourceCount)),
        Upload("upload: first chunk out of order", "source", CloudSide.Source, 3, Rows(3, 2, 0), Weights(3, 1.0 / SourceCount)),
        Upload("upload: block declaring 6 rows, carrying 2", "source", CloudSide.Source, 0, Forged(6, 2, [0.1, 0.2, 0.3, 0.4]), Weights(6, 1.0 / SourceCount)),
        Upload("upload: block declaring -3 rows", "target", CloudSide.Target, 0, Forged(-3, 2, []), Forged(-3, 1, [])),
        Upload("upload: weights block declaring 3 rows, carrying 1", "source-weights", CloudSide.Source, 0, Rows(3, 2, 0), Forged(3, 1, [1.0])),
        Upload("upload: block declaring 2^30 rows, carrying 1", "source", CloudSide.Source, 0, Forged(1 << 30, 2, [0.5, 0.5]), Forged(1 << 30, 1, [0.5])),
        Upload("upload: side neither source nor target", "side", (CloudSide)7, 0, Rows(3, 2, 0), Weights(3, 1.0 / SourceCount)),
        Input("upload: the same chunk twice", "source", async c =>
        {
            var job = await c.CreatedSinkhornAsync();
            await job.UploadAsync(CloudSide.Source, 0, Rows(3, 2, 0), Weights(3, 1.0 / SourceCount));
            await job.UploadAsync(CloudSide.Source, 0, Rows(3, 2, 0), Weights(3, 1.0 / SourceCount));
        }),
        Input("upload: overlapping chunks", "source", async c =>
        {
            var job = await c.CreatedSinkhornAsync();
            await job.UploadAsync(CloudSide.Source, 0, Rows(3, 2, 0), Weights(3, 1.0 / SourceCount));
            await job.UploadAsync(CloudSide.Source, 2, Rows(3, 2, 0.3), Weights(3, 1.0 / SourceCount));
        }),
        Input("start: weights summing to 6", "source-weights", async c =>
        {
            var job = await c.CreatedSinkhornAsync();
            await job.UploadAsync(CloudSide.Source, 0, Rows(SourceCount, 2, 0), Weights(SourceCount, 1.0));
            await job.UploadAsync(CloudSide.Target, 0, Rows(TargetCount, 2, 1), Weights(TargetCount, 1.0 / TargetCount));
            await job.StartAsync();
        }),
        Input("start: target weights all zero", "target-weights", async c =>
        {
            var job = await c.CreatedSinkhornAsync();
            await job.UploadAsync(CloudSide.Source, 0, Rows(SourceCount, 2, 0), Weights(SourceCount, 1.0 / SourceCount));
            await job.UploadAsync(CloudSide.Target, 0, Rows(TargetCount, 2, 1), Weights(TargetCount, 0.0));
            await job.StartAsync();
        }),
        Input("start: before the source upload completes", "source", async c =>
        {
            var job = await c.CreatedSinkhornAsync();
            await job.UploadAsync(CloudSide.Source, 0, Rows(3, 2, 0), Weights(3, 1.0 / SourceCount));
            await job.StartAsync();
        }),
        Input("start: target never uploaded", "target", async c =>
        {
            var job = await c.CreatedSinkhornAsync();
            await job.UploadAsync(CloudSide.Source, 0, Rows(SourceCount, 2, 0), Weights(SourceCount, 1.0 / SourceCount));
            await job.StartAsync();
        }),
        Input("start: target 1e300 away", "target", async c => await (await c.UploadedSinkhornAsync(RowsWith(TargetCount, 2, 2, 1e300))).StartAsync()),
        Input("start: epsilon outside the clouds' range", "epsilon", async c => await (await c.UploadedSinkhornAsync(Rows(TargetCount, 2, 1), Sinkhorn with { Epsilon = 1e300 })).StartAsync()),
    ];

    private static HostileGrainCall Create(string name, string field, SinkhornJobSpec spec) =>
        Input(name, field, c => c.Fresh<ISinkhornCoordinatorGrain>("spec").CreateAsync(spec));

    private static HostileGrainCall Upload(string name, string field, CloudSide side, int offset, FloatBlock positions, FloatBlock weights) =>
        Input(name, field, async c => await (await c.CreatedSinkhornAsync()).UploadAsync(side, offset, positions, weights));
}
