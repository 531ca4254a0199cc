namespace Transport.Grains.Interfaces;

/// <summary>What a shard needs to know about its problem and the layout of both clouds.</summary>
[GenerateSerializer]
[Immutable]
[Alias("Transport.SinkhornShardSetup")]
public sealed record SinkhornShardSetup
{
    /// <summary>The problem (coordinator key).</summary>
    [Id(0)]
    public required string ProblemId { get; init; }

    /// <summary>Offsets of the source blocks: block k holds rows [offsets[k], offsets[k + 1]).</summary>
    [Id(1)]
    public required int[] SourceOffsets { get; init; }

    /// <summary>Offsets of the target blocks.</summary>
    [Id(2)]
    public required int[] TargetOffsets { get; init; }

    /// <summary>Dimension of the points.</summary>
    [Id(3)]
    public required int Dimension { get; init; }

    /// <summary>Cost name.</summary>
    [Id(4)]
    public required string Cost { get; init; }

    /// <summary>Precision name.</summary>
    [Id(5)]
    public required string Precision { get; init; }
}
