using System.Text.Json;
using Transport.Grains.Interfaces;

namespace Transport.Client;

/// <summary>
/// The traffic fields of result.json, summary.json and metrics.json: <c>messages</c> and <c>payload_bytes</c> (every
/// call the job's shard grains received and the bytes of its arguments and result), and the same per shard per
/// iteration (<c>messages_per_shard_per_iteration</c>, <c>bytes_per_shard_per_iteration</c>; an iteration is a
/// Sinkhorn iteration of any solve, or a flow or sampling step attempt). Zero for a run that had no shards to count.
/// </summary>
internal static class TrafficJson
{
    public static void Write(Utf8JsonWriter writer, JobTraffic traffic)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(traffic);
        writer.WriteNumber("messages", traffic.Messages);
        writer.WriteNumber("payload_bytes", traffic.PayloadBytes);
        writer.WriteNumber("messages_per_shard_per_iteration", Math.Round(traffic.MessagesPerShardPerIteration, 3));
        writer.WriteNumber("bytes_per_shard_per_iteration", Math.Round(traffic.BytesPerShardPerIteration, 1));
    }
}
