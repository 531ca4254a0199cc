namespace Transport.Numerics.Sampling;

/// <summary>
/// The coefficients of the interpolant X_t = a(t) x0 + b(t) x1 (math.md 2.1), with noise x0 at t = 0 and data
/// x1 at t = 1, and their time derivatives.
/// </summary>
public abstract class InterpolantSchedule
{
    /// <summary>The name users type for the schedule (<c>linear</c>, <c>trig</c>, <c>vp</c>).</summary>
    public abstract string Name { get; }

    /// <summary>The noise coefficient a(t).</summary>
    public abstract double A(double t);

    /// <summary>The data coefficient b(t).</summary>
    public abstract double B(double t);

    /// <summary>The derivative a'(t).</summary>
    public abstract double DA(double t);

    /// <summary>The derivative b'(t).</summary>
    public abstract double DB(double t);

    /// <summary>Checks that <paramref name="t"/> is a finite time in [0, 1].</summary>
    protected static void CheckTime(double t)
    {
        if (!(t >= 0.0 && t <= 1.0))
        {
            throw new InvalidInputException("t", $"time {t} is not in [0, 1]");
        }
    }
}

/// <summary>The linear (rectified) schedule a = 1 - t, b = t (S-lin).</summary>
public sealed class LinearSchedule : InterpolantSchedule
{
    /// <inheritdoc />
    public override string Name => "linear";

    /// <inheritdoc />
    public override double A(double t)
    {
        CheckTime(t);
        return 1.0 - t;
    }

    /// <inheritdoc />
    public override double B(double t)
    {
        CheckTime(t);
        return t;
    }

    /// <inheritdoc />
    public override double DA(double t)
    {
        CheckTime(t);
        return -1.0;
    }

    /// <inheritdoc />
    public override double DB(double t)
    {
        CheckTime(t);
        return 1.0;
    }
}

/// <summary>The trigonometric variance-preserving schedule a = cos(pi t / 2), b = sin(pi t / 2) (S-trig).</summary>
public sealed class TrigonometricSchedule : InterpolantSchedule
{
    private const double HalfPi = Math.PI / 2.0;

    /// <inheritdoc />
    public override string Name => "trig";

    /// <inheritdoc />
    public override double A(double t)
    {
        CheckTime(t);
        return Math.Cos(HalfPi * t);
    }

    /// <inheritdoc />
    public override double B(double t)
    {
        CheckTime(t);
        return Math.Sin(HalfPi * t);
    }

    /// <inheritdoc />
    public override double DA(double t)
    {
        CheckTime(t);
        return -HalfPi * Math.Sin(HalfPi * t);
    }

    /// <inheritdoc />
    public override double DB(double t)
    {
        CheckTime(t);
        return HalfPi * Math.Cos(HalfPi * t);
    }
}

/// <summary>
/// Song's VP-SDE schedule mapped to interpolant time (S-song): with tau = 1 - t, beta(tau) = beta_min +
/// tau (beta_max - beta_min), alpha(tau) = exp(-1/2 int_0^tau beta), b = alpha(tau) and a = sqrt(1 - alpha^2).
/// Note b(0) = alpha(1) is small but not zero.
/// </summary>
public sealed class VpSdeSchedule : InterpolantSchedule
{
    /// <summary>Creates the schedule; the defaults are Song's beta_min = 0.1 and beta_max = 20.</summary>
    public VpSdeSchedule(double betaMin = 0.1, double betaMax = 20.0)
    {
        if (!(betaMin > 0.0) || double.IsInfinity(betaMin))
        {
            throw new InvalidInputException("beta-min", $"beta_min {betaMin} must be positive and finite");
        }

        if (!(betaMax >= betaMin) || double.IsInfinity(betaMax))
        {
            throw new InvalidInputException("beta-max", $"beta_max {betaMax} must be finite and at least beta_min");
        }

        BetaMin = betaMin;
        BetaMax = betaMax;
    }

    /// <summary>beta(tau) at tau = 0 (the data end).</summary>
    public double BetaMin { get; }

    /// <summary>beta(tau) at tau = 1 (the noise end).</summary>
    public double BetaMax { get; }

    /// <inheritdoc />
    public override string Name => "vp";

    /// <summary>beta(tau) in Song's time tau = 1 - t.</summary>
    public double Beta(double tau) => BetaMin + (tau * (BetaMax - BetaMin));

    /// <summary>alpha(tau) = exp(-1/2 int_0^tau beta) in Song's time.</summary>
    public double Alpha(double tau) => Math.Exp(-0.5 * ((BetaMin * tau) + (0.5 * (BetaMax - BetaMin) * tau * tau)));

    /// <inheritdoc />
    public override double A(double t)
    {
        CheckTime(t);
        var alpha = Alpha(1.0 - t);
        return Math.Sqrt(Math.Max(0.0, 1.0 - (alpha * alpha)));
    }

    /// <inheritdoc />
    public override double B(double t)
    {
        CheckTime(t);
        return Alpha(1.0 - t);
    }

    /// <inheritdoc />
    public override double DA(double t)
    {
        // a = sigma(tau), d sigma / d tau = beta alpha^2 / (2 sigma), and d/dt = -d/dtau.
        var tau = 1.0 - t;
        var alpha = Alpha(tau);
        var sigma = A(t);
        return -0.5 * Beta(tau) * alpha * alpha / sigma;
    }

    /// <inheritdoc />
    public override double DB(double t)
    {
        // b = alpha(tau), d alpha / d tau = -beta alpha / 2, and d/dt = -d/dtau.
        CheckTime(t);
        var tau = 1.0 - t;
        return 0.5 * Beta(tau) * Alpha(tau);
    }
}
