namespace Transport.Numerics.Randomness;

/// <summary>
/// Counter-based random numbers: every value is a pure function of its key (seed, particle global id,
/// step, stage, component), built from SplitMix64 finalisers chained over the key words. Nothing is
/// carried between calls, so results never depend on call order, threads or on how particles are split
/// into blocks or shards (architecture.md section 3).
/// </summary>
public static class CounterRandom
{
    private const ulong Golden = 0x9E3779B97F4A7C15UL;
    private const ulong SeedSalt = 0x243F6A8885A308D3UL;
    private const ulong IdSalt = 0x13198A2E03707344UL;
    private const ulong StepSalt = 0xA4093822299F31D0UL;
    private const ulong StageSalt = 0x082EFA98EC4E6C89UL;
    private const ulong SecondLane = 0x452821E638D01377UL;
    private const double Unit = 1.0 / (1UL << 53);

    /// <summary>A 64-bit hash of the key; every bit depends on every key word.</summary>
    public static ulong Hash(long seed, long particleId, long step, int stage, int component)
    {
        var stageWord = ((ulong)(uint)stage << 32) | (uint)component;
        var h = Mix(unchecked((ulong)seed) ^ SeedSalt);
        h = Mix(h ^ Mix(unchecked((ulong)particleId + IdSalt)));
        h = Mix(h ^ Mix(unchecked((ulong)step + StepSalt)));
        h = Mix(h ^ Mix(unchecked(stageWord + StageSalt)));
        return h;
    }

    /// <summary>A uniform double in the open interval (0, 1), a pure function of the key.</summary>
    public static double Uniform(long seed, long particleId, long step, int stage, int component) =>
        ToOpenUnit(Hash(seed, particleId, step, stage, component));

    /// <summary>A standard normal N(0, 1) (Box-Muller on two uniforms derived from the key), a pure function of the key.</summary>
    public static double Normal(long seed, long particleId, long step, int stage, int component)
    {
        var h = Hash(seed, particleId, step, stage, component);
        var u1 = ToOpenUnit(Mix(h ^ SecondLane));
        var u2 = ToOpenUnit(Mix(unchecked(h + Golden)));
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>
    /// Fills <paramref name="destination"/> (row-major, particles x <paramref name="dimension"/>) with standard
    /// normals: entry (i, c) is <see cref="Normal"/>(seed, firstId + i, step, stage, c).
    /// </summary>
    public static void FillNormals(long seed, long firstId, long step, int stage, int dimension, Span<double> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        if (destination.Length % dimension != 0)
        {
            throw new ArgumentException($"length {destination.Length} is not a multiple of dimension {dimension}", nameof(destination));
        }

        var count = destination.Length / dimension;
        for (var i = 0; i < count; i++)
        {
            for (var c = 0; c < dimension; c++)
            {
                destination[(i * dimension) + c] = Normal(seed, firstId + i, step, stage, c);
            }
        }
    }

    private static double ToOpenUnit(ulong bits) => ((bits >> 11) + 0.5) * Unit;

    private static ulong Mix(ulong z)
    {
        unchecked
        {
            z += Golden;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}
