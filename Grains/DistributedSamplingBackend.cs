using Transport.Grains.Interfaces;
using Transport.Numerics.Sampling;

namespace Transport.Grains;

/// <summary>
/// <see cref="ISamplingBackend"/> over particle shard grains: each operation fans out to every shard with
/// <see cref="Task.WhenAll(IEnumerable{Task})"/> and adds the block totals in shard order (exactly as
/// <see cref="LocalSamplingBackend"/> adds its blocks), so the result does not depend on which shard answers first.
/// Awaits keep the caller's scheduler, so the coordinator runs <see cref="SamplingDriver"/> on its own activation;
/// cancellation is checked by the driver between steps.
/// </summary>
internal sealed class DistributedSamplingBackend(IReadOnlyList<ISamplingParticleShardGrain> shards) : ISamplingBackend
{
    public async ValueTask<StepTotals> StepAsync(int index, double t, double nextTime, CancellationToken cancellationToken) =>
        Add(await Task.WhenAll(shards.Select(s => s.StepAsync(index, t, nextTime))));

    public async ValueTask CorrectAsync(int index, double t, CancellationToken cancellationToken) =>
        await Task.WhenAll(shards.Select(s => s.CorrectAsync(index, t)));

    public async ValueTask SnapAsync(double t, CancellationToken cancellationToken) =>
        await Task.WhenAll(shards.Select(s => s.SnapAsync(t)));

    public async ValueTask<NormTotals> StartAdaptiveAsync(double t, CancellationToken cancellationToken) =>
        Add(await Task.WhenAll(shards.Select(s => s.StartAdaptiveAsync(t))));

    public async ValueTask<NormTotals> ProposeAsync(double t, double h, double stepEnd, CancellationToken cancellationToken) =>
        Add(await Task.WhenAll(shards.Select(s => s.ProposeAsync(t, h, stepEnd))));

    public async ValueTask<StepTotals> CommitAsync(bool accept, CancellationToken cancellationToken) =>
        Add(await Task.WhenAll(shards.Select(s => s.CommitAsync(accept))));

    private static StepTotals Add(SamplingStepTotals[] parts)
    {
        var total = StepTotals.Zero;
        foreach (var part in parts)
        {
            total = total.Add(new StepTotals(part.KineticEnergy, part.Particles));
        }

        return total;
    }

    private static NormTotals Add(SamplingNormTotals[] parts)
    {
        var total = default(NormTotals);
        foreach (var part in parts)
        {
            total = total.Add(new NormTotals(part.First, part.Second, part.Count));
        }

        return total;
    }
}
