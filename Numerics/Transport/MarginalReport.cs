namespace Transport.Numerics.Transport;

/// <summary>
/// Scalar partials of one marginal check over a block of points, combined across blocks with
/// <see cref="Add"/> (in a fixed order, in float64). For a point j with weight w_j, current potential
/// p_j and freshly transformed potential p*_j, the plan's marginal mass is
/// mass_j = w_j exp((p_j - p*_j) / eps) and the error is |mass_j - w_j|.
/// </summary>
/// <param name="L1">sum_j |mass_j - w_j|.</param>
/// <param name="SumOfSquares">sum_j (mass_j - w_j)^2 (the 2-norm is its square root).</param>
/// <param name="WeightedPotential">sum_j w_j p_j, for the dual objective.</param>
/// <param name="PotentialMass">sum_j p_j mass_j, for the primal objective.</param>
public readonly record struct MarginalReport(double L1, double SumOfSquares, double WeightedPotential, double PotentialMass)
{
    /// <summary>The neutral report (an empty block).</summary>
    public static MarginalReport Zero => default;

    /// <summary>The 2-norm of the marginal error.</summary>
    public double L2 => Math.Sqrt(SumOfSquares);

    /// <summary>Sums two reports (exact up to float64 rounding; callers fix the order).</summary>
    public MarginalReport Add(MarginalReport other) => new(
        L1 + other.L1,
        SumOfSquares + other.SumOfSquares,
        WeightedPotential + other.WeightedPotential,
        PotentialMass + other.PotentialMass);

    /// <summary>Computes the report of one block from its weights and its current and transformed potentials.</summary>
    public static MarginalReport Measure(ReadOnlySpan<double> weights, ReadOnlySpan<double> current, ReadOnlySpan<double> transformed, double epsilon)
    {
        double l1 = 0, squares = 0, weighted = 0, potentialMass = 0;
        for (var j = 0; j < weights.Length; j++)
        {
            var w = weights[j];
            if (w == 0)
            {
                continue;
            }

            var mass = w * Math.Exp((current[j] - transformed[j]) / epsilon);
            var error = Math.Abs(mass - w);
            l1 += error;
            squares += error * error;
            weighted += w * current[j];
            potentialMass += current[j] * mass;
        }

        return new MarginalReport(l1, squares, weighted, potentialMass);
    }
}
