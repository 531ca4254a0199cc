namespace Transport.Numerics.Kernels;

/// <summary>Arithmetic used inside the reduction kernels. Accumulation across tiles is always float64.</summary>
public enum Precision
{
    /// <summary>float64 everywhere: accuracy first (the default).</summary>
    Double,

    /// <summary>
    /// float32 scores and exponentials around float64 per-query offsets (log-weights handed over as value
    /// plus residual), float64 accumulation across tiles: about twice the throughput.
    /// </summary>
    Single,
}

/// <summary>Names of <see cref="Precision"/> values as the command line spells them.</summary>
public static class Precisions
{
    /// <summary>Parses <c>double</c> or <c>single</c>.</summary>
    public static Precision Parse(string value, string field = "precision") => value switch
    {
        "double" => Precision.Double,
        "single" => Precision.Single,
        _ => throw new InvalidInputException(field, $"unknown precision '{value}' (expected double or single)"),
    };

    /// <summary>The command-line name of the precision.</summary>
    public static string Name(this Precision precision) => precision == Precision.Single ? "single" : "double";
}
