namespace Transport.Numerics.Flows.Models;

/// <summary>A scalar function of a point, V(x).</summary>
/// <param name="x">The point.</param>
/// <returns>The value V(x).</returns>
public delegate double ScalarField(ReadOnlySpan<double> x);

/// <summary>The gradient of a scalar function of a point: writes grad V(x) into <paramref name="gradient"/>.</summary>
/// <param name="x">The point.</param>
/// <param name="gradient">Receives grad V(x) (same length as <paramref name="x"/>).</param>
public delegate void GradientField(ReadOnlySpan<double> x, Span<double> gradient);
