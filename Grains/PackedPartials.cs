using Transport.Grains.Interfaces;
using Transport.Numerics.Kernels;

namespace Transport.Grains;

/// <summary>
/// The wire form of <see cref="SoftmaxPartials"/> without the distance moment: one row per query,
/// (max, sum, weighted value sums), so rows x (2 + value dimension) float64 values in one <see cref="FloatBlock"/>.
/// </summary>
internal static class PackedPartials
{
    /// <summary>Columns of a packed block for values of dimension <paramref name="valueDimension"/>.</summary>
    public static int Columns(int valueDimension) => 2 + valueDimension;

    /// <summary>Packs <paramref name="partials"/>.</summary>
    public static FloatBlock Pack(SoftmaxPartials partials)
    {
        var d = partials.ValueDimension;
        var columns = Columns(d);
        var values = new double[(long)partials.Count * columns];
        for (var i = 0; i < partials.Count; i++)
        {
            var row = values.AsSpan(i * columns, columns);
            row[0] = partials.Max[i];
            row[1] = partials.Sum[i];
            partials.Weighted.AsSpan(i * d, d).CopyTo(row[2..]);
        }

        return FloatBlock.From(values, partials.Count, columns);
    }

    /// <summary>Unpacks a block of <paramref name="count"/> queries with values of dimension <paramref name="valueDimension"/>.</summary>
    public static SoftmaxPartials Unpack(FloatBlock block, int count, int valueDimension)
    {
        var columns = Columns(valueDimension);
        if (block.Rows != count || block.Columns != columns)
        {
            throw new InvalidOperationException($"partials of {block.Rows} x {block.Columns} do not match {count} queries x {columns}");
        }

        var partials = new SoftmaxPartials(count, valueDimension);
        var values = block.Values;
        for (var i = 0; i < count; i++)
        {
            var row = values.Slice(i * columns, columns);
            partials.Max[i] = row[0];
            partials.Sum[i] = row[1];
            row[2..].CopyTo(partials.Weighted.AsSpan(i * valueDimension, valueDimension));
        }

        return partials;
    }
}
