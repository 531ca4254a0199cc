using Transport.Numerics.Geometry;
using Transport.Numerics.Transport;

namespace Transport.Client;

/// <summary>Everything a run needs, validated: nothing here can make the job fail as bad input.</summary>
/// <param name="Source">The source cloud (weights normalised to one).</param>
/// <param name="Target">The target cloud, of the same dimension.</param>
/// <param name="Options">Validated solver options.</param>
/// <param name="Shards">Shards per cloud (at least one).</param>
/// <param name="Divergence">Whether the self problems are solved too.</param>
/// <param name="Output">Where the outputs go (null for a detached run: <c>transport runs fetch</c> writes them).</param>
/// <param name="Cluster">The remote cluster, or null for an embedded silo.</param>
/// <param name="IsDemo">Whether the clouds were generated (then they are written as source.npy and target.npy).</param>
internal sealed record SinkhornInputs(
    PointCloud Source,
    PointCloud Target,
    SinkhornOptions Options,
    int Shards,
    bool Divergence,
    OutputDirectory? Output,
    ClusterEndpoint? Cluster,
    bool IsDemo)
{
    /// <summary>The multiscale settings of a <c>--multiscale</c> run; null for a dense run.</summary>
    public MultiscaleSettings? Multiscale { get; init; }

    /// <summary>Submit the job and return at once (<c>--detach</c>): the run is collected later with <c>transport runs</c>.</summary>
    public bool Detach { get; init; }

    /// <summary>The job's label in <c>transport runs list</c> (<c>--label</c>).</summary>
    public string? Label { get; init; }

    /// <summary>What this process exports (<c>--telemetry</c>: none, console or otlp).</summary>
    public string Telemetry { get; init; } = "none";

    /// <summary>The plan entries to write besides the potentials (<c>--plan-topk</c>, <c>--plan-threshold</c>).</summary>
    public PlanRequest Plan { get; init; } = PlanRequest.None;
}

/// <summary>Which plan entries a run writes: the <paramref name="TopK"/> largest per source, those above <paramref name="Threshold"/>.</summary>
/// <param name="TopK">K of <c>--plan-topk</c>, or null.</param>
/// <param name="Threshold">The mass of <c>--plan-threshold</c>, or null.</param>
internal sealed record PlanRequest(int? TopK, double? Threshold)
{
    /// <summary>No plan entries.</summary>
    public static PlanRequest None { get; } = new(null, null);

    /// <summary>The most entries a run writes: 10^7 (80 MB of masses and as many of indices).</summary>
    public const long MaxEntries = 10_000_000;
}

/// <summary>The validated settings of <c>--multiscale</c>.</summary>
/// <param name="Levels">Levels of the hierarchy, 1 to 16; 0 lets the solver choose (no <c>--levels</c>).</param>
/// <param name="Truncation">Truncation threshold TAU &gt; 0 (<c>--truncate</c>, default 5).</param>
/// <param name="MemoryBudget">Bytes &gt; 0 the solve may hold at its peak (<c>--memory-budget</c>); null: the solving process's default.</param>
/// <param name="LeafClusterSize">Points per finest cluster (<c>--leaf</c>); null: chosen from the memory budget.</param>
internal sealed record MultiscaleSettings(int Levels, double Truncation, long? MemoryBudget = null, int? LeafClusterSize = null);
