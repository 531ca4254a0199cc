using System.Globalization;
using Transport.Grains.Interfaces;
using Transport.Numerics;

namespace Transport.Grains;

/// <summary>
/// Limits and checks shared by the coordinators: job sizes at creation, and every uploaded chunk
/// (finite coordinates, finite non-negative weights) before it is split over the shards.
/// </summary>
internal static class UploadChecks
{
    /// <summary>Most shards per cloud or particle population.</summary>
    public const int MaxShards = 4096;

    /// <summary>Throws for a shard count outside [1, <see cref="MaxShards"/>].</summary>
    public static void CheckShards(int shards)
    {
        if (shards < 1 || shards > MaxShards)
        {
            throw new InvalidInputException("shards", $"must be between 1 and {MaxShards}, got {shards}");
        }
    }

    /// <summary>Throws for a shard count outside [1, <see cref="MaxShards"/>], naming <paramref name="field"/>.</summary>
    public static void CheckShards(string field, int shards)
    {
        if (shards < 1 || shards > MaxShards)
        {
            throw new InvalidInputException(field, $"must be between 1 and {MaxShards}, got {shards}");
        }
    }

    /// <summary>Throws when <paramref name="count"/> x <paramref name="dimension"/> values cannot fit in one array.</summary>
    public static void CheckSize(string field, int count, int dimension)
    {
        if ((long)count * dimension > Array.MaxLength)
        {
            throw new InvalidInputException(field, $"{count} x {dimension} values exceed the largest array ({Array.MaxLength})");
        }
    }

    /// <summary>
    /// Throws unless <paramref name="block"/> is well formed (<see cref="FloatBlock.IsWellFormed"/>): its payload holds the
    /// rows x columns values its shape declares. A block from a client is checked so before its shape is trusted.
    /// </summary>
    public static void CheckBlock(string field, FloatBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        if (!block.IsWellFormed)
        {
            throw new JobInputException(field, $"{field}: the block declares {block.Rows} x {block.Columns} values but carries {(block.Bytes?.Length ?? 0) / sizeof(double)}");
        }
    }

    /// <summary>
    /// Throws for the first non-finite coordinate, or one beyond <paramref name="maxMagnitude"/>, naming its row (offset
    /// included) and column.
    /// </summary>
    public static void CheckCoordinates(string field, ReadOnlySpan<double> values, int dimension, int offset, double maxMagnitude = double.MaxValue)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i]))
            {
                throw new JobInputException(field, $"{field}: coordinate [{offset + (i / dimension)}, {i % dimension}] is {values[i].ToString(CultureInfo.InvariantCulture)}; coordinates must be finite");
            }

            if (Math.Abs(values[i]) > maxMagnitude)
            {
                throw new JobInputException(field, $"{field}: coordinate [{offset + (i / dimension)}, {i % dimension}] is {values[i].ToString(CultureInfo.InvariantCulture)}, beyond +-{maxMagnitude.ToString(CultureInfo.InvariantCulture)} (squared distances would overflow float64)");
            }
        }
    }

    /// <summary>Throws for the first negative or non-finite weight; returns the chunk's mass.</summary>
    public static double CheckWeights(string field, ReadOnlySpan<double> values, int offset)
    {
        var sum = 0.0;
        for (var i = 0; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i]) || values[i] < 0)
            {
                throw new JobInputException(field, $"{field}: weight [{offset + i}] is {values[i].ToString("R", CultureInfo.InvariantCulture)}; weights must be finite and non-negative");
            }

            sum += values[i];
        }

        return sum;
    }

    /// <summary>
    /// Splits rows [<paramref name="offset"/>, offset + rows) of a chunk over the blocks of
    /// <paramref name="offsets"/> and loads each piece with <paramref name="load"/>(shard, row in shard,
    /// positions, weights), all concurrently.
    /// </summary>
    public static Task RouteAsync(int[] offsets, int offset, FloatBlock positions, FloatBlock weights, Func<int, int, FloatBlock, FloatBlock, Task> load)
    {
        var d = positions.Columns;
        var rows = positions.Rows;
        var tasks = new List<Task>();
        var row = offset;
        while (row < offset + rows)
        {
            var k = ShardLayout.BlockOf(offsets, row);
            var end = Math.Min(offsets[k + 1], offset + rows);
            var start = row - offset;
            var length = end - row;
            tasks.Add(load(
                k,
                row - offsets[k],
                FloatBlock.From(positions.Values.Slice(start * d, length * d), length, d),
                FloatBlock.FromVector(weights.Values.Slice(start, length))));
            row = end;
        }

        return Task.WhenAll(tasks);
    }

    /// <summary>
    /// Splits rows [<paramref name="offset"/>, offset + rows) of a chunk over the blocks of <paramref name="offsets"/>
    /// and loads each piece with <paramref name="load"/>(shard, row in shard, rows), all concurrently.
    /// </summary>
    public static Task RouteRowsAsync(int[] offsets, int offset, FloatBlock rows, Func<int, int, FloatBlock, Task> load)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var d = rows.Columns;
        var tasks = new List<Task>();
        var row = offset;
        while (row < offset + rows.Rows)
        {
            var k = ShardLayout.BlockOf(offsets, row);
            var end = Math.Min(offsets[k + 1], offset + rows.Rows);
            var start = row - offset;
            var length = end - row;
            tasks.Add(load(k, row - offsets[k], FloatBlock.From(rows.Values.Slice(start * d, length * d), length, d)));
            row = end;
        }

        return Task.WhenAll(tasks);
    }
}
