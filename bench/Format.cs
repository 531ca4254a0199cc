using System.Globalization;

namespace Transport.Bench;

/// <summary>Number formatting for the table (invariant culture).</summary>
internal static class Format
{
    public static string Rate(double perSecond) => perSecond.ToString("0.000e0", CultureInfo.InvariantCulture);

    public static string Ratio(double value) => double.IsFinite(value) ? value.ToString("0.000", CultureInfo.InvariantCulture) : "n/a";

    public static string Seconds(double value) => value.ToString("0.0000", CultureInfo.InvariantCulture);

    public static string Nanoseconds(double value) => value.ToString("0.000", CultureInfo.InvariantCulture);

    public static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);
}
