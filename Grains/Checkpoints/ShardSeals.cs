using System.Globalization;
using Transport.Grains.Interfaces;

namespace Transport.Grains;

/// <summary>The count and mass of a shard's population, and their exact comparison at checkpoints and restores.</summary>
internal static class ShardSeals
{
    /// <summary>The seal of <paramref name="count"/> rows of <paramref name="weights"/>, summed in row order.</summary>
    public static ShardSeal Of(int count, ReadOnlySpan<double> weights)
    {
        var sum = 0.0;
        foreach (var value in weights)
        {
            sum += value;
        }

        return new ShardSeal(count, sum);
    }

    /// <summary>Throws unless every shard holds the rows and the mass it sealed (bit for bit).</summary>
    /// <param name="found">What the shards hold now.</param>
    /// <param name="sealedSeals">What they sealed.</param>
    /// <param name="population">The population's name, for the message.</param>
    /// <param name="when">When the check ran ("after recovery", "at checkpoint 3").</param>
    public static void Verify(IReadOnlyList<ShardSeal> found, IReadOnlyList<ShardSeal> sealedSeals, string population, string when)
    {
        if (found.Count != sealedSeals.Count)
        {
            throw new InvalidOperationException($"{population}: {found.Count} shards answered {when}, {sealedSeals.Count} were sealed");
        }

        for (var k = 0; k < found.Count; k++)
        {
            if (found[k] != sealedSeals[k])
            {
                throw new InvalidOperationException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{population} shard {k} holds {found[k].Count} rows of mass {found[k].Mass:R} {when}, but sealed {sealedSeals[k].Count} rows of mass {sealedSeals[k].Mass:R}"));
            }
        }
    }
}
