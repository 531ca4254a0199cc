using Transport.Numerics.Randomness;

namespace Transport.Numerics.Sampling;

/// <summary>
/// The one convention for the standard-normal source points x0 of a sampling run when the caller does not supply
/// them: coordinate c of the particle with global id i is <see cref="CounterRandom.Normal"/>(seed, i, step: -1,
/// stage: 0, c). Step -1 is outside every step index the samplers use, so source noise never repeats a step's noise.
/// The single-process path, the cluster's particle shards and the CLI all draw through here, so a particle's source
/// point depends only on (seed, id), never on how the particles are split.
/// </summary>
public static class SourceNoise
{
    /// <summary>The step index reserved for source noise.</summary>
    public const long Step = -1;

    /// <summary>The stream (stage) of source noise.</summary>
    public const int Stream = 0;

    /// <summary>
    /// Fills <paramref name="destination"/> (row-major, particles x <paramref name="dimension"/>) with the source
    /// points of the particles with global ids firstId, firstId + 1, ...
    /// </summary>
    public static void Fill(long seed, long firstId, int dimension, Span<double> destination)
    {
        if (dimension < 1)
        {
            throw new InvalidInputException("dimension", $"dimension {dimension} must be at least 1");
        }

        if (firstId < 0)
        {
            throw new InvalidInputException("first-id", $"first particle id {firstId} must be non-negative");
        }

        if (destination.Length % dimension != 0)
        {
            throw new InvalidInputException("particles", $"length {destination.Length} is not a multiple of the dimension {dimension}");
        }

        CounterRandom.FillNormals(seed, firstId, Step, Stream, dimension, destination);
    }

    /// <summary>The source points of particles [0, <paramref name="count"/>) as a new row-major array.</summary>
    public static double[] Create(long seed, int count, int dimension)
    {
        if (count < 1)
        {
            throw new InvalidInputException("particles", $"count {count} must be at least 1");
        }

        var values = new double[(long)count * dimension];
        Fill(seed, 0, dimension, values);
        return values;
    }
}
