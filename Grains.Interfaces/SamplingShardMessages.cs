namespace Transport.Grains.Interfaces;

/// <summary>What a particle shard needs to know about its run and the layout.</summary>
[GenerateSerializer]
[Immutable]
[Alias("Transport.SamplingParticleShardSetup")]
public sealed record SamplingParticleShardSetup
{
    /// <summary>The run (coordinator key).</summary>
    [Id(0)]
    public required string JobId { get; init; }

    /// <summary>The validated job.</summary>
    [Id(1)]
    public required SamplingJobSpec Job { get; init; }

    /// <summary>Particle block offsets: shard k holds particles [Offsets[k], Offsets[k + 1]).</summary>
    [Id(2)]
    public required int[] Offsets { get; init; }

    /// <summary>Number of data shards the denoiser queries (0 for an inline target).</summary>
    [Id(3)]
    public required int DataShards { get; init; }
}

/// <summary>Which softmax block a data shard holds.</summary>
public enum SamplingDataKind
{
    /// <summary>Empirical data: keys and values are the data points (<see cref="Numerics.Sampling.EmpiricalDataBlock"/>).</summary>
    Empirical,
}

/// <summary>What a data shard holds: its block of the data, of <see cref="Rows"/> points in d dimensions.</summary>
/// <param name="Kind">The block kind.</param>
/// <param name="Rows">Points in the block.</param>
/// <param name="Dimension">Dimension of a point.</param>
[GenerateSerializer]
[Immutable]
[Alias("Transport.SamplingDataShardSetup")]
public sealed record SamplingDataShardSetup(
    [property: Id(0)] SamplingDataKind Kind,
    [property: Id(1)] int Rows,
    [property: Id(2)] int Dimension);

/// <summary>The wire form of <see cref="Numerics.Sampling.StepTotals"/>.</summary>
/// <param name="KineticEnergy">Sum over the block of the step's kinetic-energy quadrature.</param>
/// <param name="Particles">Particles summed.</param>
[GenerateSerializer]
[Immutable]
[Alias("Transport.SamplingStepTotals")]
public sealed record SamplingStepTotals(
    [property: Id(0)] double KineticEnergy,
    [property: Id(1)] long Particles);

/// <summary>The wire form of <see cref="Numerics.Sampling.NormTotals"/>.</summary>
/// <param name="First">The first sum of squares.</param>
/// <param name="Second">The second sum of squares.</param>
/// <param name="Count">Coordinates summed.</param>
[GenerateSerializer]
[Immutable]
[Alias("Transport.SamplingNormTotals")]
public sealed record SamplingNormTotals(
    [property: Id(0)] double First,
    [property: Id(1)] double Second,
    [property: Id(2)] long Count);
