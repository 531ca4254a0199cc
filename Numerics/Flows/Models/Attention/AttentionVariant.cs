namespace Transport.Numerics.Flows.Models;

/// <summary>The two self-attention models on the sphere of GLPR (math.md 6.2).</summary>
public enum AttentionVariant
{
    /// <summary>SA: softmax-normalised attention, P_x^perp(sum_j a_j e^{beta s_ij} V x_j / Z_i).</summary>
    SA,

    /// <summary>USA: unnormalised attention, P_x^perp(sum_j a_j e^{beta s_ij} V x_j).</summary>
    USA,
}

/// <summary>Names of <see cref="AttentionVariant"/> values as run specifications spell them.</summary>
public static class AttentionVariants
{
    /// <summary>Parses <c>SA</c> or <c>USA</c> (case-insensitive).</summary>
    public static AttentionVariant Parse(string value, string field = "variant")
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.ToUpperInvariant() switch
        {
            "SA" => AttentionVariant.SA,
            "USA" => AttentionVariant.USA,
            _ => throw new InvalidInputException(field, $"unknown attention variant '{value}' (expected SA or USA)"),
        };
    }
}
