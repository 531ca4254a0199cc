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

    /// <summary>
    /// The same ranges cut into pieces of at most <paramref name="limit"/> values each, in order (a range may be cut
    /// in two), so that one pull fits in one message.
    /// </summary>
    public IReadOnlyList<MultiscalePartnerRanges> Split(int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var pieces = new List<MultiscalePartnerRanges>();
        var starts = new List<int>();
        var counts = new List<int>();
        var size = 0;
        for (var r = 0; r < Starts.Length; r++)
        {
            var start = Starts[r];
            var remaining = Counts[r];
            while (remaining > 0)
            {
                var take = Math.Min(remaining, limit - size);
                starts.Add(start);
                counts.Add(take);
                size += take;
                start += take;
                remaining -= take;
                if (size == limit)
                {
                    Flush();
                }
            }
        }

        Flush();
        return pieces;

        void Flush()
        {
            if (size > 0)
            {
                pieces.Add(new MultiscalePartnerRanges(Shard, [.. starts], [.. counts]));
                starts.Clear();
                counts.Clear();
                size = 0;
            }
        }
    }
}
