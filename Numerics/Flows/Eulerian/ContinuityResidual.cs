namespace Transport.Numerics.Flows.Eulerian;

/// <summary>
/// The weak form of the continuity equation along a trajectory (math.md 1): for every test function phi,
/// d/dt sum_i a_i phi(x_i) = sum_i a_i (grad phi(x_i) . v_i + (g^2 / 2) lap phi(x_i)). Integrated from the first row by
/// the trapezoid rule, R_m(t) = Phi_m(t) - Phi_m(0) - int_0^t F_m, which is O(h^2) for a trajectory that its velocities
/// move (and Monte Carlo noise for a stochastic one), and O(1) for one they do not.
/// </summary>
public static class ContinuityResidual
{
    /// <summary>
    /// The cumulative residuals R (rows x modes) of the values <paramref name="phi"/> and fluxes <paramref name="flux"/>
    /// (rows x modes, row-major) at <paramref name="times"/>, and the relative residual: max |R| over rows and modes
    /// divided by <c>Scale</c>, the largest int_0^t |F_m| (the size of the change the velocities account for; the
    /// relative residual is 0 when nothing moves).
    /// </summary>
    public static (double[] Residuals, double Relative, double Scale) Compute(IReadOnlyList<double> times, ReadOnlySpan<double> phi, ReadOnlySpan<double> flux, int modes)
    {
        ArgumentNullException.ThrowIfNull(times);
        var rows = times.Count;
        if (phi.Length != rows * modes || flux.Length != rows * modes)
        {
            throw new ArgumentException("phi and flux must hold rows x modes values");
        }

        var residuals = new double[rows * modes];
        double largest = 0, scale = 0;
        for (var m = 0; m < modes; m++)
        {
            double integral = 0, absolute = 0;
            for (var r = 1; r < rows; r++)
            {
                var h = times[r] - times[r - 1];
                var (previous, current) = (flux[((r - 1) * modes) + m], flux[(r * modes) + m]);
                integral += 0.5 * h * (previous + current);
                absolute += 0.5 * h * (Math.Abs(previous) + Math.Abs(current));
                var residual = phi[(r * modes) + m] - phi[m] - integral;
                residuals[(r * modes) + m] = residual;
                largest = Math.Max(largest, Math.Abs(residual));
                scale = Math.Max(scale, absolute);
            }
        }

        return (residuals, scale > 0 ? largest / scale : 0, scale);
    }
}
