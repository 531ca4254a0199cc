namespace Transport.Numerics.Transport.Multiscale;

/// <summary>A pair of clusters of the same level: source cluster <paramref name="Source"/>, target cluster <paramref name="Target"/>.</summary>
/// <param name="Level">Hierarchy level of both clusters.</param>
/// <param name="Source">Source cluster index at that level.</param>
/// <param name="Target">Target cluster index at that level.</param>
public readonly record struct BlockPair(int Level, int Source, int Target);
