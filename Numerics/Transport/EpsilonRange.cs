using System.Globalization;
using Transport.Numerics.Geometry;
using Transport.Numerics.Kernels;

namespace Transport.Numerics.Transport;

/// <summary>
/// The regularisations a Sinkhorn solve answers to the accuracy it reports, for clouds whose largest cost over their
/// joint bounding box is c_max (<see cref="SinkhornProblem.MaxCost"/>) and whose larger cloud has N points, in the
/// kernel's arithmetic. Outside [<see cref="Min"/>, <see cref="Max"/>] the solver refuses eps (an
/// <see cref="InvalidInputException"/> naming the field, the value and the range) instead of returning NaN, or a
/// converged answer that is wrong.
/// <para>
/// Large eps. A soft c-transform is f_i = -eps (m_i + log z_i) with m_i + log z_i = LSE_j[log b_j + (g_j - C_ij) / eps]
/// (math.md 3.3). The cost enters only through (g_j - C_ij) / eps, of size c_max / eps, added to log-weights of size up
/// to ln N; each score is rounded at its own magnitude, so the log-sum-exp carries an absolute error of about
/// u (1 + ln N), u the unit roundoff of the kernel (2^-53 in float64, 2^-24 in float32 kernels), and the potentials an
/// error of eps u (1 + ln N) whatever the cost. The marginal error does not see it (it is measured through
/// exp((g - T(f)) / eps), where the error is divided by eps again), so such a solve reports converged with its
/// potentials, dual and objective off by that much: at eps = 1e300 the cost rounds away entirely, f = g = 0 and the dual
/// is 0 instead of about &lt;a (x) b, C&gt;. Bound: eps u (1 + ln N) &lt;= <see cref="Accuracy"/> c_max, i.e.
/// <see cref="Max"/> = 1e-6 c_max / (u (1 + ln N)). Above it the plan is the product coupling a (x) b to that accuracy
/// (the entropic plan tends to it as eps grows), which needs no solver; a solver that returned it would still need the
/// dual to second order in c / eps, so the range stops where the log-domain iteration stops being exact enough.
/// </para>
/// <para>
/// Small eps. The plan's exponent (f_i + g_j - C_ij) / eps is formed from float64 numbers of size up to c_max, each
/// rounded at 2^-53 c_max, so every plan entry carries a relative error of about 2^-53 c_max / eps: that is the floor of
/// the measured marginal error, which a solve cannot get below (past about 700 times that the measured mass overflows to
/// infinity, past 1.8e308 / c_max the scores themselves do, and the potentials become NaN). Bound:
/// 2^-53 c_max / eps &lt;= <see cref="Accuracy"/>, i.e. <see cref="Min"/> = 2^-53 c_max / 1e-6, for both precisions:
/// float32 kernels form their scores around float64 per-query references, and their own rounding of each pair's cost
/// (2^-24 C_ij / eps in the exponent) raises the marginal error the solve reports, so it shows (converged false), and is
/// not refused.
/// </para>
/// <para>
/// <see cref="Accuracy"/> = 1e-6 is the default tolerance: inside the range the rounding is no larger than the accuracy a
/// default solve certifies. A cost that is identically 0 (every point at one place) has no scale: its plan is a (x) b at
/// every eps, there is no lower bound, and the upper bound is taken for a cost scale of 1.
/// </para>
/// </summary>
/// <param name="Min">The smallest admissible eps.</param>
/// <param name="Max">The largest admissible eps.</param>
/// <param name="MaxCost">The cost scale c_max the range was derived for.</param>
/// <param name="Points">N, the size of the larger cloud.</param>
/// <param name="Precision">The kernel arithmetic the range was derived for.</param>
public sealed record EpsilonRange(double Min, double Max, double MaxCost, long Points, Precision Precision)
{
    /// <summary>The relative accuracy the range keeps the rounding within (the default tolerance).</summary>
    public const double Accuracy = 1e-6;

    /// <summary>Unit roundoff of float64, 2^-53.</summary>
    private const double DoubleRoundoff = 1.1102230246251565e-16;

    /// <summary>Unit roundoff of float32, 2^-24.</summary>
    private const double SingleRoundoff = 5.9604644775390625e-8;

    /// <summary>The range for a cost scale <paramref name="maxCost"/>, clouds of at most <paramref name="points"/> points and <paramref name="precision"/> kernels.</summary>
    public static EpsilonRange For(double maxCost, long points, Precision precision)
    {
        if (!(maxCost >= 0) || double.IsInfinity(maxCost))
        {
            throw new ArgumentOutOfRangeException(nameof(maxCost), maxCost, "the cost scale must be finite and non-negative");
        }

        var roundoff = precision == Precision.Single ? SingleRoundoff : DoubleRoundoff;
        var logWeights = 1 + Math.Log(Math.Max(points, 1));
        var scale = maxCost > 0 ? maxCost : 1.0;
        var min = maxCost * DoubleRoundoff / Accuracy;
        var max = Accuracy * scale / (roundoff * logWeights);
        return new EpsilonRange(min, max, maxCost, points, precision);
    }

    /// <summary>
    /// The range of <paramref name="problem"/> solved with <paramref name="options"/>: its joint bounding box's largest cost
    /// (or <see cref="SinkhornOptions.CostScale"/> when set), its larger cloud, the options' precision.
    /// </summary>
    public static EpsilonRange For(SinkhornProblem problem, SinkhornOptions options)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(options);
        var source = BoundingBox.Of(problem.Source);
        var box = source.Union(BoundingBox.Of(problem.Target));
        if (options.CostScale is null && !double.IsFinite(SinkhornProblem.MaxCost(box, options.Cost)))
        {
            var field = FarCloud(source, options.Cost);
            throw new InvalidInputException(field, $"the squared diameter of the clouds is {SinkhornProblem.MaxCost(box, options.Cost).ToString(CultureInfo.InvariantCulture)} (coordinates too far apart for float64 costs)");
        }

        return For(options, box, Math.Max(problem.Source.Count, problem.Target.Count));
    }

    /// <summary>
    /// The cloud to name when the largest cost over the clouds' joint box is not finite: <c>source</c> when its own points
    /// are too far apart, else <c>target</c> (too far apart itself, or from the source). The input to fix, rather than a
    /// field no option is called.
    /// </summary>
    public static string FarCloud(BoundingBox source, CostFunction cost)
    {
        ArgumentNullException.ThrowIfNull(source);
        return double.IsFinite(SinkhornProblem.MaxCost(source, cost)) ? "target" : "source";
    }

    /// <summary>The range of clouds with joint bounding box <paramref name="box"/>, at most <paramref name="points"/> points each, solved with <paramref name="options"/>.</summary>
    public static EpsilonRange For(SinkhornOptions options, BoundingBox box, long points)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(box);
        var maxCost = options.CostScale ?? SinkhornProblem.MaxCost(box, options.Cost);
        if (!double.IsFinite(maxCost))
        {
            throw new InvalidInputException("points", $"the squared diameter of the clouds is {maxCost.ToString(CultureInfo.InvariantCulture)} (coordinates too far apart for float64 costs)");
        }

        return For(maxCost, points, options.Precision);
    }

    /// <summary>Checks <paramref name="options"/>' eps against the range of <paramref name="problem"/> (see <see cref="Check(double, string)"/>).</summary>
    public static void Check(SinkhornProblem problem, SinkhornOptions options) => For(problem, options).Check(options.Epsilon);

    /// <summary>Whether <paramref name="epsilon"/> is in the range.</summary>
    public bool Contains(double epsilon) => epsilon >= Min && epsilon <= Max;

    /// <summary>Throws an <see cref="InvalidInputException"/> for <paramref name="field"/> when <paramref name="epsilon"/> is outside the range.</summary>
    public void Check(double epsilon, string field = "epsilon")
    {
        if (!Contains(epsilon))
        {
            throw new InvalidInputException(field, $"{epsilon.ToString("G6", CultureInfo.InvariantCulture)} is outside the admissible range {Describe()}; {Reason(epsilon)}");
        }
    }

    /// <summary>The range and what it was derived for, e.g. "[3.4E-09, 1.6E+09] for these clouds (largest cost 15.2, ...)".</summary>
    public string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"[{Format(Min)}, {Format(Max)}] for these clouds (largest cost c_max = {MaxCost:G4}, {(Precision == Precision.Single ? "float32" : "float64")} kernels, {Points} points in the larger cloud)");

    /// <summary>Why a value outside the range is refused (on the side it falls).</summary>
    public string Reason(double epsilon) => epsilon > Max
        ? string.Create(CultureInfo.InvariantCulture, $"above {Format(Max)} the rounding of the potentials (about eps x {(Precision == Precision.Single ? "2^-24" : "2^-53")} x (1 + ln N)) exceeds {Accuracy:G} of the largest cost, and the plan is the product coupling a x b to that accuracy{(Precision == Precision.Single ? " (float64 kernels, --precision double, reach further)" : string.Empty)}")
        : string.Create(CultureInfo.InvariantCulture, $"below {Format(Min)} the plan's exponent (f + g - C) / eps loses more than {Accuracy:G} per entry to float64 rounding of the costs (2^-53 x c_max / eps), and further down it overflows");

    private static string Format(double value) => value.ToString("G3", CultureInfo.InvariantCulture);
}
