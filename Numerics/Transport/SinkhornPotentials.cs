namespace Transport.Numerics.Transport;

/// <summary>Both potentials of the points, sorted order.</summary>
/// <param name="F">Source potential.</param>
/// <param name="G">Target potential.</param>
public sealed record SinkhornPotentials(double[] F, double[] G);
