namespace Transport.Numerics.Flows;

/// <summary>
/// A contiguous block of a particle population: positions (row-major, <see cref="Count"/> x
/// <see cref="Dimension"/>), weights (the block's share of the unit mass) and the global id of its first
/// particle (ids are consecutive). The single-process path uses one block holding every particle; a
/// shard holds one block of many. Positions are mutable: integrators update them in place.
/// </summary>
public sealed class ParticleBlock
{
    /// <summary>Wraps arrays (not copied).</summary>
    public ParticleBlock(double[] positions, double[] weights, int dimension, long firstId)
    {
        ArgumentNullException.ThrowIfNull(positions);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        if (positions.Length != weights.Length * dimension)
        {
            throw new ArgumentException($"{positions.Length} coordinates for {weights.Length} particles in dimension {dimension}");
        }

        PositionArray = positions;
        WeightArray = weights;
        Dimension = dimension;
        FirstId = firstId;
    }

    /// <summary>Number of particles in the block.</summary>
    public int Count => WeightArray.Length;

    /// <summary>Dimension of a particle's state.</summary>
    public int Dimension { get; }

    /// <summary>Global id of the first particle (particle i of the block has id FirstId + i).</summary>
    public long FirstId { get; }

    /// <summary>Positions, row-major.</summary>
    public Span<double> Positions => PositionArray;

    /// <summary>Weights.</summary>
    public ReadOnlySpan<double> Weights => WeightArray;

    /// <summary>The position array itself.</summary>
    public double[] PositionArray { get; }

    /// <summary>The weight array itself.</summary>
    public double[] WeightArray { get; }

    /// <summary>Particle <paramref name="index"/>'s coordinates.</summary>
    public Span<double> Particle(int index) => PositionArray.AsSpan(index * Dimension, Dimension);
}
