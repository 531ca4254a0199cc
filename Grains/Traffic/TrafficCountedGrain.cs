using Transport.Grains.Interfaces;

namespace Transport.Grains;

/// <summary>
/// The base of every shard grain: it counts the calls it receives and their payload (<see cref="TrafficMeter"/>) as its
/// own incoming call filter, and reports them (<see cref="ITrafficCountingGrain"/>). A shard grain's key belongs to
/// one job, so its counts are that job's.
/// </summary>
/// <param name="kind">The shard kind, the <c>grain</c> tag of the telemetry counters.</param>
public abstract class TrafficCountedGrain(string kind) : Grain, IIncomingGrainCallFilter, ITrafficCountingGrain
{
    private readonly TrafficMeter traffic = new(kind);

    /// <inheritdoc />
    public Task<ShardTraffic> GetTrafficAsync() => Task.FromResult(traffic.Current);

    /// <summary>Counts the call (see <see cref="TrafficMeter.CountAsync"/>).</summary>
    public Task Invoke(IIncomingGrainCallContext context) => traffic.CountAsync(context);
}
