namespace Transport.Numerics.Flows.Models;

/// <summary>Activation sigma of a mean-field two-layer network.</summary>
public enum NetworkActivation
{
    /// <summary>sigma(s) = max(s, 0), sigma'(s) = 1 for s &gt; 0 and 0 otherwise.</summary>
    Relu,

    /// <summary>sigma(s) = tanh(s).</summary>
    Tanh,

    /// <summary>sigma(s) = s (the moment closure of math.md MF-1).</summary>
    Linear,
}

/// <summary>Values, derivatives and names of <see cref="NetworkActivation"/>.</summary>
public static class NetworkActivations
{
    /// <summary>sigma(s).</summary>
    public static double Apply(this NetworkActivation activation, double s) => activation switch
    {
        NetworkActivation.Relu => s > 0 ? s : 0.0,
        NetworkActivation.Tanh => Math.Tanh(s),
        NetworkActivation.Linear => s,
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "unknown activation"),
    };

    /// <summary>sigma'(s).</summary>
    public static double Derivative(this NetworkActivation activation, double s)
    {
        switch (activation)
        {
            case NetworkActivation.Relu:
                return s > 0 ? 1.0 : 0.0;
            case NetworkActivation.Tanh:
                var t = Math.Tanh(s);
                return 1 - (t * t);
            case NetworkActivation.Linear:
                return 1.0;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, "unknown activation");
        }
    }

    /// <summary>The run-specification name: <c>relu</c>, <c>tanh</c> or <c>linear</c>.</summary>
    public static string Name(this NetworkActivation activation) => activation switch
    {
        NetworkActivation.Relu => "relu",
        NetworkActivation.Tanh => "tanh",
        NetworkActivation.Linear => "linear",
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "unknown activation"),
    };

    /// <summary>Parses <c>relu</c>, <c>tanh</c> or <c>linear</c>; anything else is an <see cref="InvalidInputException"/> for <paramref name="field"/>.</summary>
    public static NetworkActivation Parse(string value, string field = "activation") => value switch
    {
        "relu" => NetworkActivation.Relu,
        "tanh" => NetworkActivation.Tanh,
        "linear" => NetworkActivation.Linear,
        _ => throw new InvalidInputException(field, $"unknown activation '{value}' (expected relu, tanh or linear)"),
    };
}
