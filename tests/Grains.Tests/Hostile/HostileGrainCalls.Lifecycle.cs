using Transport.Grains.Interfaces;
using Transport.Numerics.Transport;
using static Transport.Grains.Tests.Hostile.HostileGrainContext;

namespace Transport.Grains.Tests.Hostile;

/// <summary>Calls the job's state does not allow (running, cancelled, released, never created ids) and downloads out of range.</summary>
internal static partial class HostileGrainCalls
{
    private static IEnumerable<HostileGrainCall> Lifecycle =>
    [
        State("create: an id that is running", "is running", async c =>
            await c.Grains.GetGrain<ISinkhornCoordinatorGrain>((await c.RunningAsync()).GetPrimaryKeyString()).CreateAsync(Sinkhorn)),
        State("upload: to a running job", "only before the job starts", async c =>
            await (await c.RunningAsync()).UploadAsync(CloudSide.Source, 0, Rows(3, 2, 0), Weights(3, 1.0 / 60))),
        State("start: a running job again", "the job is Running", async c => await (await c.RunningAsync()).StartAsync()),
        State("result: before completion", "no result: the job is Running", async c => await (await c.RunningAsync()).GetResultAsync()),
        State("potential: before completion", "no result: the job is Running", async c => await (await c.RunningAsync()).GetPotentialAsync(CloudSide.Target, 0, 1)),
        State("map: of a job never started", "no result: the job is Created", async c => await (await c.CreatedSinkhornAsync()).GetMapAsync(0, 1)),
        State("upload: to a cancelled job", "the job is Cancelled", async c =>
            await (await c.CancelledSinkhornAsync()).UploadAsync(CloudSide.Source, 0, Rows(3, 2, 0), Weights(3, 1.0 / SourceCount))),
        State("start: a cancelled job", "the job is Cancelled", async c => await (await c.CancelledSinkhornAsync()).StartAsync()),
        State("upload: to a released job", "call CreateAsync first", async c =>
            await (await c.ReleasedSinkhornAsync()).UploadAsync(CloudSide.Source, 0, Rows(3, 2, 0), Weights(3, 1.0 / SourceCount))),
        State("start: a released job", "call CreateAsync first", async c => await (await c.ReleasedSinkhornAsync()).StartAsync()),
        State("status: of an id never created", "call CreateAsync first", async c => await c.Fresh<ISinkhornCoordinatorGrain>("never").GetStatusAsync()),
        Input("create: a flow under the id of a listed Sinkhorn job", "id", async c =>
            await c.Grains.GetGrain<IFlowCoordinatorGrain>((await c.CreatedSinkhornAsync()).GetPrimaryKeyString()).CreateAsync(Flow)),
        Input("create: a sampling study under the id of a cancelled Sinkhorn job", "id", async c =>
            await c.Grains.GetGrain<ISampleStudyCoordinatorGrain>((await c.CancelledSinkhornAsync()).GetPrimaryKeyString()).CreateAsync(Study)),
        Input("resume: a job that failed on its input at its start", "id", async c =>
        {
            var job = await c.UploadedSinkhornAsync(Rows(TargetCount, 2, 1), Sinkhorn with { Epsilon = 1e300 });
            await Assert.ThrowsAsync<JobInputException>(job.StartAsync);

            // Refused for what it is, not only because this cluster keeps no checkpoints (which also names the id).
            var refusal = await Assert.ThrowsAsync<JobInputException>(job.ResumeAsync);
            Assert.Contains("failed on its input (epsilon: ", refusal.Message, StringComparison.Ordinal);
            throw refusal;
        }),
        Input("resume: a job that completed", "id", async c => await (await c.CompletedSinkhornAsync()).ResumeAsync()),
        Argument("create: an empty id", typeof(ArgumentException), "primaryKey", async c => await c.Grains.GetGrain<ISinkhornCoordinatorGrain>(string.Empty).CreateAsync(Sinkhorn)),
    ];

    private static IEnumerable<HostileGrainCall> Downloads =>
    [
        OutOfRange("potential: negative offset", "offset", async c => await (await c.CompletedSinkhornAsync()).GetPotentialAsync(CloudSide.Source, -1, 2)),
        OutOfRange("potential: offset + count past int.MaxValue", "offset", async c => await (await c.CompletedSinkhornAsync()).GetPotentialAsync(CloudSide.Source, int.MaxValue - 1, 10)),
        OutOfRange("potential: count int.MaxValue", "offset", async c => await (await c.CompletedSinkhornAsync()).GetPotentialAsync(CloudSide.Target, 0, int.MaxValue)),
        OutOfRange("map: offset + count past int.MaxValue", "offset", async c => await (await c.CompletedSinkhornAsync()).GetMapAsync(int.MaxValue - 1, 10)),
        OutOfRange("map: negative count", "offset", async c => await (await c.CompletedSinkhornAsync()).GetMapAsync(0, -3)),
        Input("potential: side neither source nor target", "side", async c => await (await c.CompletedSinkhornAsync()).GetPotentialAsync((CloudSide)7, 0, 1)),
    ];
}
