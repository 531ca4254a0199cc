namespace Transport.Numerics.Transport.Multiscale;

/// <summary>What a <see cref="TruncationSearch"/> found, in the order it found it.</summary>
/// <param name="Kept">Block-level pairs kept.</param>
/// <param name="Dropped">Pairs dropped (block-level ones only when their drops are not implicit).</param>
/// <param name="Expanded">
/// With <see cref="TruncationSearch.ImplicitBlockDrops"/>: the pairs one level above the block level that were split
/// into their children (their unkept children are the block level's drops). Empty otherwise.
/// </param>
public sealed record TruncationSearchResult(List<(int Source, int Target)> Kept, List<BlockPair> Dropped, List<(int Source, int Target)> Expanded);
