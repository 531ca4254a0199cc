using MathNet.Numerics.LinearAlgebra;

namespace Transport.Numerics.Sampling;

/// <summary>A single Dirac mass at a point y; its denoiser is the constant D = y.</summary>
public sealed class PointMassTarget : IDenoisingTarget
{
    private readonly double[] _point;

    /// <summary>Creates the target delta_y; <paramref name="point"/> must be finite (field <c>point</c>).</summary>
    public PointMassTarget(IReadOnlyList<double> point)
    {
        _point = TargetValidation.Vector("point", point);
    }

    /// <summary>The location y of the mass.</summary>
    public IReadOnlyList<double> Point => _point;

    /// <inheritdoc />
    public int Dimension => _point.Length;

    /// <summary>The law of A x1: the Dirac mass at A y.</summary>
    public PointMassTarget MapLinear(Matrix<double> map) =>
        new(LinearMap.Apply(LinearMap.Checked(map, Dimension), _point));

    /// <inheritdoc />
    IDenoisingTarget IDenoisingTarget.MapLinear(Matrix<double> map) => MapLinear(map);

    /// <inheritdoc />
    public void Denoise(double a, double b, ReadOnlySpan<double> x, Span<double> denoised)
    {
        TargetValidation.Batch(Dimension, x, denoised);
        for (var offset = 0; offset < denoised.Length; offset += _point.Length)
        {
            _point.CopyTo(denoised.Slice(offset, _point.Length));
        }
    }
}
