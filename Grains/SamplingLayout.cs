namespace Transport.Grains;

/// <summary>Grain keys of a sampling run's shards.</summary>
public static class SamplingLayout
{
    /// <summary>Grain key of particle shard <paramref name="index"/> of run <paramref name="jobId"/>: "run/particles/index".</summary>
    public static string ParticleShardKey(string jobId, int index) => $"{jobId}/particles/{index}";

    /// <summary>Grain key of data shard <paramref name="index"/> of run <paramref name="jobId"/>: "run/data/index".</summary>
    public static string DataShardKey(string jobId, int index) => $"{jobId}/data/{index}";
}
