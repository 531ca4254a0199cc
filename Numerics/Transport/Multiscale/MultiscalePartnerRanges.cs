namespace Transport.Numerics.Transport.Multiscale;

/// <summary>
/// The potentials a shard needs from one shard of the other side: the ranges
/// <c>[Starts[r], Starts[r] + Counts[r])</c> of that shard's points (relative to its first point), ascending.
/// </summary>
/// <param name="Shard">Index of the partner shard.</param>
/// <param name="Starts">Range starts, partner-local.</param>
/// <param name="Counts">Range lengths.</param>
public sealed record MultiscalePartnerRanges(int Shard, int[] Starts, int[] Counts)
{
    /// <summary>Potential values the ranges hold.</summary>
    public int ValueCount => Counts.Sum();
}
