using Transport.Numerics.Sampling;

namespace Transport.Numerics.Tests.Sampling;

internal static class SamplingTestSupport
{
    public static InterpolantSchedule Schedule(string name) => name switch
    {
        "linear" => new LinearSchedule(),
        "trig" => new TrigonometricSchedule(),
        "vp" => new VpSdeSchedule(),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown schedule"),
    };

    /// <summary>FM-3: m = (1, -1), Sigma = [[1, .6], [.6, 1]].</summary>
    public static GaussianTarget Fm3Target() => new([1.0, -1.0], new[,] { { 1.0, 0.6 }, { 0.6, 1.0 } });

    /// <summary>
    /// The exact marginal point X_t = b m + C_t^(1/2) x0 for the FM-3 target, with the symmetric square root of the
    /// 2 x 2 matrix C_t = a^2 I + b^2 Sigma computed in closed form (sqrt(M) = (M + sqrt(det M) I) / sqrt(tr M + 2 sqrt(det M))).
    /// </summary>
    public static double[] Fm3Exact(InterpolantSchedule schedule, double t, double[] x0)
    {
        var a = schedule.A(t);
        var b = schedule.B(t);
        var c11 = (a * a) + (b * b);
        var c12 = b * b * 0.6;
        var c22 = c11;
        var s = Math.Sqrt((c11 * c22) - (c12 * c12));
        var norm = Math.Sqrt(c11 + c22 + (2.0 * s));
        var r11 = (c11 + s) / norm;
        var r12 = c12 / norm;
        var r22 = (c22 + s) / norm;
        return [b + (r11 * x0[0]) + (r12 * x0[1]), -b + (r12 * x0[0]) + (r22 * x0[1])];
    }
}
