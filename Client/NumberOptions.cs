using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Transport.Client;

/// <summary>
/// Numeric options whose parse errors read like the other input errors (<c>epsilon: expected a number, got 'abc'</c>)
/// instead of naming CLR types. Numbers use the invariant culture; <c>NaN</c> and <c>Infinity</c> parse, so that
/// range checks report them with the option's own rule.
/// </summary>
internal static class NumberOptions
{
    /// <summary>A floating-point option with a default.</summary>
    public static Option<double> Double(string name, double defaultValue, string description, string helpName) => new(name)
    {
        Description = description,
        HelpName = helpName,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result => ParseDouble(result) ?? defaultValue,
    };

    /// <summary>A floating-point option without a default (null when absent).</summary>
    public static Option<double?> OptionalDouble(string name, string description, string helpName) => new(name)
    {
        Description = description,
        HelpName = helpName,
        CustomParser = ParseDouble,
    };

    /// <summary>An integer option with a default.</summary>
    public static Option<int> Int32(string name, int defaultValue, string description, string helpName) => new(name)
    {
        Description = description,
        HelpName = helpName,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result => ParseInt32(result) ?? defaultValue,
    };

    /// <summary>An integer option without a default (null when absent).</summary>
    public static Option<int?> OptionalInt32(string name, string description, string helpName) => new(name)
    {
        Description = description,
        HelpName = helpName,
        CustomParser = ParseInt32,
    };

    /// <summary>A byte count without a default (null when absent): bytes, or a number with K, M, G or T (<see cref="ByteSizes"/>).</summary>
    public static Option<long?> OptionalByteSize(string name, string description, string helpName) => new(name)
    {
        Description = description,
        HelpName = helpName,
        CustomParser = ParseByteSize,
    };

    private static long? ParseByteSize(ArgumentResult result)
    {
        if (result.Tokens.Count == 0)
        {
            return null;
        }

        var text = result.Tokens[^1].Value;
        if (ByteSizes.Parse(text) is { } bytes)
        {
            return bytes;
        }

        result.AddError($"{NameOf(result)}: expected a byte count such as 4294967296, 512M or 4G, got '{text}'");
        return null;
    }

    private static double? ParseDouble(ArgumentResult result)
    {
        if (result.Tokens.Count == 0)
        {
            return null;
        }

        var text = result.Tokens[^1].Value;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        result.AddError($"{NameOf(result)}: expected a number, got '{text}'");
        return null;
    }

    private static int? ParseInt32(ArgumentResult result)
    {
        if (result.Tokens.Count == 0)
        {
            return null;
        }

        var text = result.Tokens[^1].Value;
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        result.AddError($"{NameOf(result)}: expected an integer, got '{text}'");
        return null;
    }

    private static string NameOf(ArgumentResult result) =>
        result.Parent is OptionResult option ? option.Option.Name.TrimStart('-') : result.Argument.Name;
}
