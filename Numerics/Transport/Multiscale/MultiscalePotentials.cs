namespace Transport.Numerics.Transport.Multiscale;

/// <summary>Both potentials of the points, sorted order.</summary>
/// <param name="F">Source potential.</param>
/// <param name="G">Target potential.</param>
public sealed record MultiscalePotentials(double[] F, double[] G);
