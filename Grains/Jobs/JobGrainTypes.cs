namespace Transport.Grains;

/// <summary>
/// The grain classes that exist for a job: every job's coordinator and shards. A cluster with no job listed holds no
/// activation of them (a released job deactivates its coordinator and shards), which is what
/// <c>transport cluster status</c> counts as job grains; the registry and the limits grain are the cluster's own.
/// </summary>
public static class JobGrainTypes
{
    private static readonly HashSet<string> Names = new(
        new[]
        {
            typeof(SinkhornCoordinatorGrain), typeof(SinkhornShardGrain),
            typeof(FlowCoordinatorGrain), typeof(FlowShardGrain),
            typeof(SamplingCoordinatorGrain), typeof(SamplingDataShardGrain), typeof(SamplingParticleShardGrain),
            typeof(SampleStudyCoordinatorGrain),
        }.SelectMany(t => new[] { t.FullName!, t.Name }),
        StringComparer.Ordinal);

    /// <summary>
    /// Whether <paramref name="grainType"/> is a job grain: a grain class's full or short name, or the
    /// <c>Namespace.Class,Assembly</c> form Orleans' grain statistics give.
    /// </summary>
    public static bool Contains(string grainType)
    {
        ArgumentNullException.ThrowIfNull(grainType);
        var comma = grainType.IndexOf(',', StringComparison.Ordinal);
        return Names.Contains(comma < 0 ? grainType : grainType[..comma].Trim());
    }
}
