namespace Transport.Numerics.Flows;

/// <summary>
/// An explicit Runge-Kutta method: stage i evaluates the velocity at time t + C[i] h and position
/// x + h sum_{j &lt; i} A[i][j] k_j; the step is x + h sum_i B[i] k_i. An embedded method adds
/// <see cref="EmbeddedB"/>, whose difference with <see cref="B"/> estimates the local error.
/// Every shard applies the same tableau to its own particles, so the arithmetic per particle does not
/// depend on the split.
/// </summary>
public sealed class ButcherTableau
{
    private ButcherTableau(string name, int order, double[][] a, double[] b, double[] c, double[]? embeddedB, int embeddedOrder)
    {
        Name = name;
        Order = order;
        A = a;
        B = b;
        C = c;
        EmbeddedB = embeddedB;
        EmbeddedOrder = embeddedOrder;
    }

    /// <summary>Explicit Euler: one stage, order 1.</summary>
    public static ButcherTableau Euler { get; } = new("euler", 1, [[]], [1.0], [0.0], null, 0);

    /// <summary>Heun (explicit trapezoid): k1 = v(t, x), k2 = v(t + h, x + h k1), x + h (k1 + k2)/2; order 2.</summary>
    public static ButcherTableau Heun { get; } = new("heun", 2, [[], [1.0]], [0.5, 0.5], [0.0, 1.0], null, 0);

    /// <summary>
    /// The JKO (implicit Euler) step as two stages: k0 = v(x) starts the fixed point, stage 1 is evaluated at
    /// y = x + h k with k the last iterate (k0 first, then k1 itself: <see cref="FlowBlockState.PrepareStage"/>), and the
    /// step is x + h k1; order 1.
    /// </summary>
    public static ButcherTableau Jko { get; } = new("jko", 1, [[], [1.0]], [0.0, 1.0], [0.0, 1.0], null, 0);

    /// <summary>The classical fourth-order Runge-Kutta method.</summary>
    public static ButcherTableau Rk4 { get; } = new(
        "rk4",
        4,
        [[], [0.5], [0.0, 0.5], [0.0, 0.0, 1.0]],
        [1.0 / 6, 1.0 / 3, 1.0 / 3, 1.0 / 6],
        [0.0, 0.5, 0.5, 1.0],
        null,
        0);

    /// <summary>Dormand-Prince 5(4): seven stages, fifth-order solution, embedded fourth-order error estimate.</summary>
    public static ButcherTableau DormandPrince { get; } = new(
        "dormand-prince",
        5,
        [
            [],
            [1.0 / 5],
            [3.0 / 40, 9.0 / 40],
            [44.0 / 45, -56.0 / 15, 32.0 / 9],
            [19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729],
            [9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656],
            [35.0 / 384, 0.0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84],
        ],
        [35.0 / 384, 0.0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84, 0.0],
        [0.0, 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1.0, 1.0],
        [5179.0 / 57600, 0.0, 7571.0 / 16695, 393.0 / 640, -92097.0 / 339200, 187.0 / 2100, 1.0 / 40],
        4);

    /// <summary>The method's name.</summary>
    public string Name { get; }

    /// <summary>Order of the propagated solution.</summary>
    public int Order { get; }

    /// <summary>Stage coefficients: row i has i entries.</summary>
    public IReadOnlyList<double[]> A { get; }

    /// <summary>Weights of the propagated solution.</summary>
    public IReadOnlyList<double> B { get; }

    /// <summary>Stage times as fractions of the step.</summary>
    public IReadOnlyList<double> C { get; }

    /// <summary>Weights of the embedded solution (null for fixed-step methods).</summary>
    public IReadOnlyList<double>? EmbeddedB { get; }

    /// <summary>Order of the embedded solution (0 when none).</summary>
    public int EmbeddedOrder { get; }

    /// <summary>Number of stages.</summary>
    public int Stages => B.Count;

    /// <summary>The tableau of <paramref name="integrator"/> (Euler-Maruyama uses Euler's drift part).</summary>
    public static ButcherTableau For(FlowIntegrator integrator) => integrator switch
    {
        FlowIntegrator.Euler => Euler,
        FlowIntegrator.EulerMaruyama => Euler,
        FlowIntegrator.Heun => Heun,
        FlowIntegrator.Rk4 => Rk4,
        FlowIntegrator.Adaptive => DormandPrince,
        FlowIntegrator.Jko => Jko,
        _ => throw new ArgumentOutOfRangeException(nameof(integrator), integrator, "unknown integrator"),
    };
}
