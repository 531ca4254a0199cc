namespace Transport.Numerics.Sampling.Coupling;

/// <summary>
/// How straight a set of particle paths x(t), t in [0, 1], is. With the mean squared displacement
/// D = E|x(1) - x(0)|^2 and the mean kinetic energy K = E int_0^1 |v|^2 dt, Cauchy-Schwarz gives
/// |x(1) - x(0)|^2 = |int v dt|^2 &lt;= int |v|^2 dt for every path, so the ratio K / D is at least 1, with equality
/// iff every path is a straight line run at constant speed (a straight flow). A flow that transports a source to a
/// target has D &gt;= W_2^2 (the optimal transport cost), with equality for the OT map.
/// </summary>
public sealed class PathStraightness
{
    private PathStraightness(double displacement, double kineticEnergy)
    {
        Displacement = displacement;
        KineticEnergy = kineticEnergy;
        // Zero displacement: the paths are straight only if nothing moved at all.
        Ratio = displacement > 0.0 ? kineticEnergy / displacement : (kineticEnergy > 0.0 ? double.PositiveInfinity : 1.0);
    }

    /// <summary>E|x(1) - x(0)|^2 over the particles.</summary>
    public double Displacement { get; }

    /// <summary>E int_0^1 |v|^2 dt over the particles.</summary>
    public double KineticEnergy { get; }

    /// <summary>KineticEnergy / Displacement (&gt;= 1; 1 iff straight).</summary>
    public double Ratio { get; }

    /// <summary>
    /// Builds the report from row-major <paramref name="start"/> x(0) and <paramref name="end"/> x(1) (fields
    /// <c>start</c>, <c>end</c>, same count n and dimension <paramref name="d"/>) and
    /// <paramref name="kineticEnergySum"/> = sum over particles of int_0^1 |v|^2 dt (field <c>kinetic-energy</c>,
    /// non-negative), as accumulated by the integrator.
    /// </summary>
    public static PathStraightness Compute(double[] start, double[] end, int d, double kineticEnergySum)
    {
        if (d < 1)
        {
            throw new InvalidInputException("dimension", $"dimension {d} must be at least 1");
        }

        if (start is null || start.Length == 0 || start.Length % d != 0)
        {
            throw new InvalidInputException("start", $"length {start?.Length ?? 0} is not a positive multiple of the dimension {d}");
        }

        if (end is null || end.Length != start.Length)
        {
            throw new InvalidInputException("end", $"length {end?.Length ?? 0} differs from the start length {start.Length}");
        }

        if (!(kineticEnergySum >= 0.0) || !double.IsFinite(kineticEnergySum))
        {
            throw new InvalidInputException("kinetic-energy", $"kinetic energy {kineticEnergySum} must be a non-negative finite number");
        }

        var n = start.Length / d;
        var sum = 0.0;
        for (var i = 0; i < start.Length; i++)
        {
            var diff = end[i] - start[i];
            if (!double.IsFinite(diff))
            {
                throw new InvalidInputException($"end[{i / d}]", $"coordinate {i % d} is not finite (start {start[i]}, end {end[i]})");
            }

            sum += diff * diff;
        }

        return new PathStraightness(sum / n, kineticEnergySum / n);
    }
}
