using MathNet.Numerics.LinearAlgebra;

namespace Transport.Numerics.Sampling;

/// <summary>
/// A weighted set of atoms sum_j w_j delta_{y_j}, with the exact softmax denoiser of math.md 2.3c:
/// D = sum_j softmax_j(log w_j - |x - b y_j|^2 / (2 a^2)) y_j.
/// </summary>
public sealed class DiscreteTarget : IDenoisingTarget
{
    private readonly double[][] _atoms;
    private readonly double[] _logWeights;

    /// <summary>
    /// Creates the target from <paramref name="atoms"/> (field <c>atoms[j]</c>) and positive
    /// <paramref name="weights"/> (field <c>weights[j]</c>), normalised to sum to one.
    /// </summary>
    public DiscreteTarget(IReadOnlyList<IReadOnlyList<double>> atoms, IReadOnlyList<double> weights)
    {
        if (atoms is null || atoms.Count == 0)
        {
            throw new InvalidInputException("atoms", "must hold at least one atom");
        }

        _atoms = new double[atoms.Count][];
        for (var j = 0; j < atoms.Count; j++)
        {
            _atoms[j] = TargetValidation.Vector($"atoms[{j}]", atoms[j], j == 0 ? null : _atoms[0].Length);
        }

        var normalised = TargetValidation.Weights("weights", weights, atoms.Count);
        _logWeights = Array.ConvertAll(normalised, Math.Log);
    }

    private DiscreteTarget(double[][] atoms, double[] logWeights)
    {
        _atoms = atoms;
        _logWeights = logWeights;
    }

    /// <inheritdoc />
    public int Dimension => _atoms[0].Length;

    /// <summary>The law of A x1: the atoms A y_j with the same weights.</summary>
    public DiscreteTarget MapLinear(Matrix<double> map)
    {
        var checkedMap = LinearMap.Checked(map, Dimension);
        var atoms = Array.ConvertAll(_atoms, atom => LinearMap.Apply(checkedMap, atom));
        return new DiscreteTarget(atoms, (double[])_logWeights.Clone());
    }

    /// <inheritdoc />
    IDenoisingTarget IDenoisingTarget.MapLinear(Matrix<double> map) => MapLinear(map);

    /// <inheritdoc />
    public void Denoise(double a, double b, ReadOnlySpan<double> x, Span<double> denoised)
    {
        TargetValidation.Batch(Dimension, x, denoised);
        var d = Dimension;
        var logits = new double[_atoms.Length];
        var inverseTwoA2 = 1.0 / (2.0 * a * a);
        for (var offset = 0; offset < x.Length; offset += d)
        {
            var particle = x.Slice(offset, d);
            var max = double.NegativeInfinity;
            for (var j = 0; j < _atoms.Length; j++)
            {
                var squared = 0.0;
                for (var i = 0; i < d; i++)
                {
                    var r = particle[i] - (b * _atoms[j][i]);
                    squared += r * r;
                }

                logits[j] = _logWeights[j] - (squared * inverseTwoA2);
                max = Math.Max(max, logits[j]);
            }

            var output = denoised.Slice(offset, d);
            output.Clear();
            var total = 0.0;
            for (var j = 0; j < _atoms.Length; j++)
            {
                var weight = Math.Exp(logits[j] - max);
                total += weight;
                for (var i = 0; i < d; i++)
                {
                    output[i] += weight * _atoms[j][i];
                }
            }

            for (var i = 0; i < d; i++)
            {
                output[i] /= total;
            }
        }
    }
}
