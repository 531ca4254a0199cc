using Transport.Numerics.Randomness;

namespace Transport.Numerics.Sampling;

/// <summary>
/// The one convention for drawing the standard Gaussian source points x0 of a sampling run: component c of particle
/// i is <see cref="CounterRandom.Normal"/>(seed, i, step: -1, stage: 0, c). Step -1 keeps the source apart from the
/// samplers' per-step noise (steps 0, 1, ...), and keying by the global particle id makes the source independent of
/// how particles are split into blocks or shards.
/// </summary>
public static class SourceNoise
{
    /// <summary>The step index reserved for the source draw.</summary>
    public const long SourceStep = -1;

    /// <summary>Fills <paramref name="destination"/> (row-major, d components per particle) for particles firstId, firstId + 1, ...</summary>
    public static void Fill(long seed, long firstId, int dimension, Span<double> destination) =>
        CounterRandom.FillNormals(seed, firstId, SourceStep, 0, dimension, destination);
}
