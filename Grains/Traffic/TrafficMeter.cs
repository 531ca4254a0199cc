using Transport.Grains.Interfaces;

namespace Transport.Grains;

/// <summary>
/// Counts the calls a grain receives and their payload (<see cref="PayloadBytes"/>), as the grain's own incoming call
/// filter (a grain implementing <see cref="IIncomingGrainCallFilter"/> sees each of its calls; no silo registration
/// needed). The counts feed the job's traffic report and the <c>transport.messages</c> and
/// <c>transport.payload.bytes</c> telemetry counters.
/// </summary>
internal sealed class TrafficMeter(string kind)
{
    private long messages;
    private long payloadBytes;

    /// <summary>What was counted so far.</summary>
    public ShardTraffic Current => new(Interlocked.Read(ref messages), Interlocked.Read(ref payloadBytes));

    /// <summary>Runs the call and counts it (its arguments before, its result after), except the traffic query itself.</summary>
    public async Task CountAsync(IIncomingGrainCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.MethodName == nameof(ITrafficCountingGrain.GetTrafficAsync))
        {
            await context.Invoke();
            return;
        }

        var request = context.Request;
        var bytes = 0L;
        for (var a = 0; a < request.GetArgumentCount(); a++)
        {
            bytes += PayloadBytes.Of(request.GetArgument(a));
        }

        await context.Invoke();
        bytes += PayloadBytes.Of(context.Result);
        Interlocked.Increment(ref messages);
        Interlocked.Add(ref payloadBytes, bytes);
        var tag = new KeyValuePair<string, object?>("grain", kind);
        TransportTelemetry.Messages.Add(1, tag);
        TransportTelemetry.PayloadBytes.Add(bytes, tag);
    }
}
