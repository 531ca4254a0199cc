using System.Globalization;
using Transport.Grains.Interfaces;

namespace Transport.Grains;

/// <summary>
/// One uploaded array of a job (a cloud, noise rows), received in chunks that must arrive in order: each chunk's shape,
/// row range and position are checked before it is routed to the shards, so a repeated, missing or misplaced chunk
/// cannot pass for a complete upload. With a weights field, each chunk carries non-negative finite weights whose mass
/// is summed, and a complete upload must have mass 1. Coordinates must be finite and, with a
/// <paramref name="maxMagnitude"/>, within it.
/// </summary>
internal sealed class ChunkedUpload(string field, string? weightsField, int total, int dimension, double maxMagnitude = double.MaxValue)
{
    private const double MassTolerance = 1e-9;

    /// <summary>Rows accepted so far.</summary>
    public long Rows { get; private set; }

    /// <summary>Mass accepted so far (with a weights field).</summary>
    public double Mass { get; private set; }

    /// <summary>
    /// Checks a chunk starting at <paramref name="offset"/> (coordinates finite, weights valid); returns its mass (0
    /// without weights). The chunk counts only after <see cref="Accept"/>, once it is stored.
    /// </summary>
    public double Check(int offset, FloatBlock rows, FloatBlock? weights)
    {
        ArgumentNullException.ThrowIfNull(rows);
        UploadChecks.CheckBlock(field, rows);
        if (weightsField is not null && weights is not null)
        {
            UploadChecks.CheckBlock(weightsField, weights);
        }

        if (rows.Columns != dimension)
        {
            throw new JobInputException(field, $"{field}: rows have {rows.Columns} coordinates, expected dimension {dimension}");
        }

        if (weightsField is not null)
        {
            if (weights is null || weights.Rows != rows.Rows || weights.Columns != 1)
            {
                throw new JobInputException(weightsField, $"{weightsField}: expected {rows.Rows} x 1 weights for the chunk, got {weights?.Rows ?? 0} x {weights?.Columns ?? 0}");
            }
        }

        if (offset < 0 || (long)offset + rows.Rows > total)
        {
            throw new JobInputException(field, $"{field}: rows [{offset}, {(long)offset + rows.Rows}) are outside [0, {total})");
        }

        if (offset != Rows)
        {
            throw new JobInputException(field, $"{field}: chunk starts at row {offset}, expected row {Rows} (chunks are uploaded in order)");
        }

        UploadChecks.CheckCoordinates(field, rows.Values, dimension, offset, maxMagnitude);
        return weightsField is null ? 0 : UploadChecks.CheckWeights(weightsField, weights!.Values, offset);
    }

    /// <summary>Counts a checked chunk of <paramref name="rows"/> rows and <paramref name="mass"/>.</summary>
    public void Accept(int rows, double mass)
    {
        Rows += rows;
        Mass += mass;
    }

    /// <summary>Throws unless every row arrived (and, with weights, the mass is 1 within 1e-9).</summary>
    public void RequireComplete(string noun = "rows")
    {
        if (Rows != total)
        {
            throw new JobInputException(field, $"{field}: {Rows} of {total} {noun} were uploaded");
        }

        if (weightsField is not null && Math.Abs(Mass - 1) > MassTolerance)
        {
            throw new JobInputException(weightsField, $"{weightsField}: uploaded weights sum to {Mass.ToString("R", CultureInfo.InvariantCulture)}; they must be normalised to 1");
        }
    }
}
