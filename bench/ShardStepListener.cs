using System.Diagnostics.Metrics;
using Transport.Grains;

namespace Transport.Bench;

/// <summary>
/// Adds up <c>transport.shard.step.duration</c> (meter <c>Transport.Distributed</c>) while it lives. Flow
/// shards record their block work under the operations flow-begin-stage, flow-velocity and
/// flow-complete-step (Grains/FlowShardGrain.cs); the sum is over all shards (they run concurrently).
/// </summary>
internal sealed class ShardStepListener : IDisposable
{
    private readonly MeterListener listener = new();
    private readonly Lock gate = new();
    private double flowSeconds;

    public ShardStepListener()
    {
        listener.InstrumentPublished = (instrument, meterListener) =>
        {
            if (instrument.Meter.Name == TransportTelemetry.Name && instrument.Name == "transport.shard.step.duration")
            {
                meterListener.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "operation" && tag.Value is string operation && operation.StartsWith("flow-", StringComparison.Ordinal))
                {
                    lock (gate)
                    {
                        flowSeconds += value;
                    }
                }
            }
        });
        listener.Start();
    }

    /// <summary>Seconds of flow block work recorded by all shards so far.</summary>
    public double FlowSeconds
    {
        get
        {
            lock (gate)
            {
                return flowSeconds;
            }
        }
    }

    public void Dispose() => listener.Dispose();
}
