using Transport.Grains.Interfaces;

namespace Transport.Grains;

/// <summary>
/// The uploaded model data blocks of a flow job (<see cref="FlowModelSpec.Uploaded"/>), assembled from their chunks:
/// each block's rows arrive in order, checked like any upload (finite values, the announced shape); once every row is
/// in, <see cref="Complete"/> gives the spec a builder takes. The coordinator checks the chunks and keeps a copy for
/// its own model; each shard keeps one for its model.
/// </summary>
internal sealed class ModelDataUpload
{
    private readonly FlowDataShape[] shapes;
    private readonly double[][] values;
    private readonly ChunkedUpload[] uploads;

    /// <summary>Buffers for the blocks <paramref name="shapes"/> announces.</summary>
    public ModelDataUpload(FlowDataShape[] shapes)
    {
        this.shapes = shapes;
        values = [.. shapes.Select(s => new double[(long)s.Rows * s.Columns])];
        uploads = [.. shapes.Select(s => new ChunkedUpload(s.Name, null, s.Rows, s.Columns))];
    }

    /// <summary>
    /// Checks a chunk of block <paramref name="name"/> (a <see cref="JobInputException"/> naming it otherwise) and returns
    /// the block's index; the chunk counts only after <see cref="Store"/>.
    /// </summary>
    public int Check(string name, int offset, FloatBlock rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var k = Array.FindIndex(shapes, s => s.Name == name);
        if (k < 0)
        {
            var announced = shapes.Length == 0 ? "none" : string.Join(", ", shapes.Select(s => s.Name));
            throw new JobInputException("model", $"model: no data block '{name}' was announced for upload (announced: {announced})");
        }

        uploads[k].Check(offset, rows, null);
        return k;
    }

    /// <summary>Stores a checked chunk of block <paramref name="block"/>.</summary>
    public void Store(int block, int offset, FloatBlock rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        rows.Values.CopyTo(values[block].AsSpan(offset * shapes[block].Columns));
        uploads[block].Accept(rows.Rows, 0);
    }

    /// <summary>Checks and stores a chunk.</summary>
    public void Accept(string name, int offset, FloatBlock rows) => Store(Check(name, offset, rows), offset, rows);

    /// <summary>Every block's values, in the order announced (complete or not).</summary>
    public IReadOnlyList<double[]> Values => values;

    /// <summary>The spec completed with every block (a <see cref="JobInputException"/> naming the first incomplete one otherwise).</summary>
    public FlowModelSpec Complete(FlowModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        foreach (var upload in uploads)
        {
            upload.RequireComplete();
        }

        return spec.WithUploadedData(values);
    }

    /// <summary>
    /// Checks the announced shapes before anything is uploaded: a name, positive sizes within the upload limits, no name
    /// twice or also inline.
    /// </summary>
    public static void CheckShapes(FlowModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        foreach (var shape in spec.Uploaded)
        {
            if (shape is null || string.IsNullOrWhiteSpace(shape.Name))
            {
                throw new JobInputException("model", "model: an uploaded data block has no name");
            }

            if (shape.Rows <= 0 || shape.Columns <= 0)
            {
                throw new JobInputException(shape.Name, $"{shape.Name}: an uploaded data block needs rows and columns > 0, got {shape.Rows} x {shape.Columns}");
            }

            UploadChecks.CheckSize(shape.Name, shape.Rows, shape.Columns);
        }

        var names = spec.Uploaded.Select(s => s.Name).Concat(spec.DataNames).ToArray();
        if (names.GroupBy(name => name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } repeated)
        {
            throw new JobInputException("model", $"model: the data block '{repeated.Key}' is given {repeated.Count()} times");
        }
    }
}
