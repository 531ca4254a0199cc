namespace Transport.Numerics.Flows;

/// <summary>Time integrators of the flow engine (math.md 1.4).</summary>
public enum FlowIntegrator
{
    /// <summary>Explicit Euler (order 1), spelled <c>euler</c>.</summary>
    Euler,

    /// <summary>Heun / explicit trapezoid (order 2), spelled <c>heun</c>.</summary>
    Heun,

    /// <summary>Classical Runge-Kutta (order 4), spelled <c>rk4</c>.</summary>
    Rk4,

    /// <summary>Euler-Maruyama for dX = v dt + g(t) dW (strong order 1/2), spelled <c>euler-maruyama</c>.</summary>
    EulerMaruyama,

    /// <summary>Adaptive Dormand-Prince 5(4) with step-size control, spelled <c>adaptive</c>.</summary>
    Adaptive,

    /// <summary>
    /// The particle JKO step (math.md 4.3): X^{k+1} = argmin_Y sum_i a_i |y_i - x_i^k|^2 / (2 tau) + F(Y), tau =
    /// <c>step</c>, whose optimality condition is the implicit Euler step y = x + tau v(y); solved by fixed-point
    /// iteration on the shards to the flow's rtol / atol.
    /// </summary>
    Jko,
}

/// <summary>How a step on the sphere returns to the manifold.</summary>
public enum FlowSphereStep
{
    /// <summary>Take the step in ambient space, then x &lt;- x/|x| (spelled <c>renormalise</c>).</summary>
    Renormalise,

    /// <summary>
    /// Exponential map x &lt;- cos(h|v|) x + sin(h|v|) v/|v| for the tangent velocity v (Euler only; spelled
    /// <c>exponential-map</c>).
    /// </summary>
    ExponentialMap,
}

/// <summary>How the adaptive integrator reduces the scaled local error over all particle coordinates.</summary>
public enum FlowErrorNorm
{
    /// <summary>Root mean square over all coordinates (spelled <c>rms</c>).</summary>
    Rms,

    /// <summary>Maximum over all coordinates (spelled <c>max</c>).</summary>
    Max,
}

/// <summary>The names users type for the flow enums, and their parsing.</summary>
public static class FlowNames
{
    /// <summary>The name of <paramref name="integrator"/> as run specifications spell it.</summary>
    public static string Name(FlowIntegrator integrator) => integrator switch
    {
        FlowIntegrator.Euler => "euler",
        FlowIntegrator.Heun => "heun",
        FlowIntegrator.Rk4 => "rk4",
        FlowIntegrator.EulerMaruyama => "euler-maruyama",
        FlowIntegrator.Adaptive => "adaptive",
        FlowIntegrator.Jko => "jko",
        _ => throw new ArgumentOutOfRangeException(nameof(integrator), integrator, "unknown integrator"),
    };

    /// <summary>The name of <paramref name="step"/> as run specifications spell it.</summary>
    public static string Name(FlowSphereStep step) => step switch
    {
        FlowSphereStep.Renormalise => "renormalise",
        FlowSphereStep.ExponentialMap => "exponential-map",
        _ => throw new ArgumentOutOfRangeException(nameof(step), step, "unknown sphere step"),
    };

    /// <summary>The name of <paramref name="norm"/> as run specifications spell it.</summary>
    public static string Name(FlowErrorNorm norm) => norm switch
    {
        FlowErrorNorm.Rms => "rms",
        FlowErrorNorm.Max => "max",
        _ => throw new ArgumentOutOfRangeException(nameof(norm), norm, "unknown error norm"),
    };

    /// <summary>Parses <c>euler</c>, <c>heun</c>, <c>rk4</c>, <c>euler-maruyama</c>, <c>adaptive</c> or <c>jko</c>; otherwise throws <see cref="InvalidInputException"/> for <c>integrator</c>.</summary>
    public static FlowIntegrator ParseIntegrator(string? text) => text switch
    {
        "euler" => FlowIntegrator.Euler,
        "heun" => FlowIntegrator.Heun,
        "rk4" => FlowIntegrator.Rk4,
        "euler-maruyama" => FlowIntegrator.EulerMaruyama,
        "adaptive" => FlowIntegrator.Adaptive,
        "jko" => FlowIntegrator.Jko,
        _ => throw new InvalidInputException("integrator", $"must be one of euler, heun, rk4, euler-maruyama, adaptive, jko; got '{text}'"),
    };

    /// <summary>Parses <c>renormalise</c> or <c>exponential-map</c>; otherwise throws <see cref="InvalidInputException"/> for <c>sphere_step</c>.</summary>
    public static FlowSphereStep ParseSphereStep(string? text) => text switch
    {
        "renormalise" => FlowSphereStep.Renormalise,
        "exponential-map" => FlowSphereStep.ExponentialMap,
        _ => throw new InvalidInputException("sphere_step", $"must be renormalise or exponential-map; got '{text}'"),
    };

    /// <summary>Parses <c>rms</c> or <c>max</c>; otherwise throws <see cref="InvalidInputException"/> for <c>error_norm</c>.</summary>
    public static FlowErrorNorm ParseErrorNorm(string? text) => text switch
    {
        "rms" => FlowErrorNorm.Rms,
        "max" => FlowErrorNorm.Max,
        _ => throw new InvalidInputException("error_norm", $"must be rms or max; got '{text}'"),
    };
}
