namespace Transport.Numerics.Transport.Multiscale;

/// <summary>
/// Potentials from an earlier, nearby solve (input order) to start a multiscale solve from: the
/// annealing is skipped, the block pattern on the points is searched directly with these potentials, and
/// the iterations run at the target eps. A flow step moves the particles only a little, so the previous
/// step's potentials are close to the new ones. The safeguard re-checks every dropped block with the final
/// potentials, so a poor warm start costs iterations or refinements, never correctness.
/// </summary>
/// <param name="F">Source potential, one per source point (input order).</param>
/// <param name="G">Target potential, one per target point (input order).</param>
public sealed record MultiscaleWarmStart(double[] F, double[] G)
{
    /// <summary>
    /// The over-relaxation factor to start with (typically <see cref="MultiscaleOutput.Relaxation"/> of the earlier
    /// solve): a warm solve starts next to the solution, where the plain warm-up iterations would see only the fast
    /// early decay and under-estimate the factor. Null measures it as a cold solve does.
    /// </summary>
    public double? Relaxation { get; init; }

    /// <summary>Throws <see cref="InvalidInputException"/> when the potentials do not fit the problem or are not finite.</summary>
    public void Validate(SinkhornProblem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        Check("warm-start.f", F, problem.Source.Count);
        Check("warm-start.g", G, problem.Target.Count);
        if (Relaxation is { } w && (!double.IsFinite(w) || w < 1 || w >= 2))
        {
            throw new InvalidInputException("warm-start.relaxation", $"must be in [1, 2), got {w}");
        }
    }

    private static void Check(string field, double[] potential, int count)
    {
        if (potential is null || potential.Length != count)
        {
            throw new InvalidInputException(field, $"must hold {count} values, got {potential?.Length ?? 0}");
        }

        for (var i = 0; i < potential.Length; i++)
        {
            if (!double.IsFinite(potential[i]))
            {
                throw new InvalidInputException(field, $"value {i} is {potential[i]}");
            }
        }
    }
}

/// <summary>
/// A warm start of a multiscale solve whose points live elsewhere (<see cref="IMultiscalePoints"/>): the point side
/// already holds the potentials to start from; the run needs only to know that it starts warm, and with which factor.
/// </summary>
/// <param name="Relaxation">The over-relaxation factor to start with (see <see cref="MultiscaleWarmStart.Relaxation"/>); null measures it.</param>
public sealed record MultiscalePointsWarmStart(double? Relaxation)
{
    /// <summary>Throws <see cref="InvalidInputException"/> when the factor is outside [1, 2).</summary>
    public void Validate()
    {
        if (Relaxation is { } w && (!double.IsFinite(w) || w < 1 || w >= 2))
        {
            throw new InvalidInputException("warm-start.relaxation", $"must be in [1, 2), got {w}");
        }
    }
}
