using System.Diagnostics;

namespace Transport.Bench;

/// <summary>Runs an action once untimed (JIT warm-up), then several timed repetitions.</summary>
internal static class Measure
{
    /// <summary>Seconds of each timed repetition after one untimed warm-up run.</summary>
    public static double[] Repeat(int repetitions, Action action)
    {
        action();
        var seconds = new double[repetitions];
        for (var r = 0; r < repetitions; r++)
        {
            var start = Stopwatch.GetTimestamp();
            action();
            seconds[r] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }

        return seconds;
    }

    /// <summary>The smallest value (the least disturbed repetition).</summary>
    public static double Best(IReadOnlyList<double> values) => values.Min();

    /// <summary>The median value.</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
