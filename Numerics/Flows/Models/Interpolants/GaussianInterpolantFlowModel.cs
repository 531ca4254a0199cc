using MathNet.Numerics.LinearAlgebra;

namespace Transport.Numerics.Flows.Models;

/// <summary>
/// The flow-matching field of the linear interpolant between N(0, I) and N(0, Sigma1) with independent coupling
/// (math.md V1.1): Sigma_t = (1 - t)^2 I + t^2 Sigma1 and v_t(x) = A_t x, A_t = (t Sigma1 - (1 - t) I) Sigma_t^-1, plus,
/// with <see cref="Rotation"/> omega != 0, the field w_t(x) = omega S Sigma_t^-1 x (S the rotation generator of the first
/// two coordinates). w_t is divergence-free against the path: div(rho_t w_t) = 0 because x^T Sigma_t^-1 S Sigma_t^-1 x = 0
/// and tr(S Sigma_t^-1) = 0 for antisymmetric S. So both fields move N(0, I) through the same Gaussians Sigma_t, with
/// different particle paths, and the rotated one at a larger kinetic energy (the non-uniqueness of velocity fields the
/// Eulerian and Lagrangian views meet at). Particles should start from N(0, I) for the path to be Sigma_t.
/// </summary>
public sealed class GaussianInterpolantFlowModel : IFlowModel
{
    private readonly Matrix<double> target;
    private readonly Matrix<double> identity;

    /// <summary>The field towards N(0, <paramref name="targetCovariance"/>) (d x d, symmetric positive definite), with rotation <paramref name="rotation"/> (d &gt;= 2 when not 0).</summary>
    public GaussianInterpolantFlowModel(double[,] targetCovariance, double rotation)
    {
        ArgumentNullException.ThrowIfNull(targetCovariance);
        var d = targetCovariance.GetLength(0);
        if (d == 0 || targetCovariance.GetLength(1) != d)
        {
            throw new InvalidInputException("target_covariance", $"must be a non-empty square matrix, got {targetCovariance.GetLength(0)} x {targetCovariance.GetLength(1)}");
        }

        target = Matrix<double>.Build.DenseOfArray(targetCovariance);
        if (target.Enumerate().Any(v => !double.IsFinite(v)) || !target.IsSymmetric() || target.Evd(Symmetricity.Symmetric).EigenValues.Any(e => e.Real <= 0))
        {
            throw new InvalidInputException("target_covariance", "must be a finite symmetric positive definite matrix");
        }

        if (!double.IsFinite(rotation) || (rotation != 0 && d < 2))
        {
            throw new InvalidInputException("rotation", $"must be finite, and 0 in dimension 1; got {rotation} in dimension {d}");
        }

        Dimension = d;
        Rotation = rotation;
        identity = Matrix<double>.Build.DenseIdentity(d);
    }

    /// <summary>omega, the strength of the divergence-free rotation.</summary>
    public double Rotation { get; }

    /// <inheritdoc />
    public string Name => "gaussian-interpolant";

    /// <inheritdoc />
    public int Dimension { get; }

    /// <inheritdoc />
    public FlowManifold Manifold => FlowManifold.Euclidean;

    /// <inheritdoc />
    public bool NeedsAllPositions => false;

    /// <inheritdoc />
    public int PartialLength => 0;

    /// <inheritdoc />
    public void AccumulatePartials(double time, ParticleBlock block, Span<double> partials)
    {
    }

    /// <inheritdoc />
    public ReadOnlyMemory<double> PrepareStage(FlowGlobals globals) => ReadOnlyMemory<double>.Empty;

    /// <summary>Sigma_t = (1 - t)^2 I + t^2 Sigma1.</summary>
    public Matrix<double> Covariance(double t) => (identity * ((1 - t) * (1 - t))) + (target * (t * t));

    /// <summary>The velocity matrix M_t with v_t(x) = M_t x: A_t plus omega S Sigma_t^-1.</summary>
    public Matrix<double> VelocityMatrix(double t)
    {
        var inverse = Covariance(t).Inverse();
        var field = ((target * t) - (identity * (1 - t))) * inverse;
        if (Rotation != 0)
        {
            var generator = Matrix<double>.Build.Dense(Dimension, Dimension);
            generator[0, 1] = 1;
            generator[1, 0] = -1;
            field += generator * inverse * Rotation;
        }

        return field;
    }

    /// <inheritdoc />
    public void Velocity(ParticleBlock block, FlowGlobals globals, Span<double> velocity)
    {
        ArgumentNullException.ThrowIfNull(block);
        ArgumentNullException.ThrowIfNull(globals);
        var m = VelocityMatrix(globals.Time);
        var d = Dimension;
        for (var i = 0; i < block.Count; i++)
        {
            var x = block.Particle(i);
            for (var k = 0; k < d; k++)
            {
                var sum = 0.0;
                for (var l = 0; l < d; l++)
                {
                    sum += m[k, l] * x[l];
                }

                velocity[(i * d) + k] = sum;
            }
        }
    }

    /// <inheritdoc />
    public double EnergyShare(ParticleBlock block, FlowGlobals globals) => double.NaN;

    /// <inheritdoc />
    public double GlobalEnergy(FlowGlobals globals) => double.NaN;

    /// <inheritdoc />
    public double Diffusion(double time) => 0.0;
}
