using System.Globalization;
using System.Text.RegularExpressions;

namespace Transport.Client;

/// <summary>
/// Byte counts as people type them: a number of bytes, or a number with a suffix K, M, G or T (powers of 1024, as memory
/// is sized; case-insensitive, an optional trailing B or iB): <c>1073741824</c>, <c>512M</c>, <c>4G</c>, <c>1.5GiB</c>.
/// </summary>
internal static partial class ByteSizes
{
    /// <summary>The bytes <paramref name="text"/> stands for (rounded to a whole byte), or null when it is not a byte count or overflows.</summary>
    public static long? Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var match = Pattern().Match(text.Trim());
        if (!match.Success || !double.TryParse(match.Groups["number"].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            return null;
        }

        var shift = match.Groups["unit"].Value.ToUpperInvariant() switch
        {
            "K" => 10,
            "M" => 20,
            "G" => 30,
            "T" => 40,
            _ => 0,
        };
        var bytes = Math.Round(number * Math.Pow(2, shift));
        return bytes < long.MaxValue ? (long)bytes : null;
    }

    [GeneratedRegex(@"^(?<number>[0-9]+(\.[0-9]+)?)\s*(?:(?<unit>[KMGT])(?:I?B)?|B)?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
