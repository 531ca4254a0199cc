using System.Globalization;

namespace Transport.Numerics.Flows.Eulerian;

/// <summary>
/// What a flow run measures of its density at every accepted step (the Eulerian view of the particles, math.md 1):
/// the moments, a family of Fourier test functions for the weak form of the continuity equation, and the density on a
/// grid over two axes (one when d = 1) as a histogram and a Gaussian kernel estimate. Every quantity is a weighted sum
/// over the particles, so blocks, shards and silos add their partials (<see cref="EulerianPartial"/>).
/// </summary>
public sealed record EulerianOptions
{
    /// <summary>Largest <see cref="Grid"/>: 512 cells per axis.</summary>
    public const int MaxGrid = 512;

    /// <summary>Largest <see cref="Modes"/>.</summary>
    public const int MaxModes = 256;

    /// <summary>Cells per axis of the density grid, 2 to <see cref="MaxGrid"/>.</summary>
    public int Grid { get; init; } = 64;

    /// <summary>The coordinates the grid spans: two distinct axes, or one ([0]) for d = 1.</summary>
    public int[] Axes { get; init; } = [0, 1];

    /// <summary>The grid's lower corner on <see cref="Axes"/>.</summary>
    public required double[] Lower { get; init; }

    /// <summary>The grid's upper corner on <see cref="Axes"/>.</summary>
    public required double[] Upper { get; init; }

    /// <summary>The Gaussian kernel's bandwidth (standard deviation) of the density estimate; 0: two cells of the wider axis.</summary>
    public double Bandwidth { get; init; }

    /// <summary>Fourier test functions cos(w . x + theta) of the continuity residual, 1 to <see cref="MaxModes"/>.</summary>
    public int Modes { get; init; } = 16;

    /// <summary>Seed of the test functions' frequencies and phases.</summary>
    public long Seed { get; init; }

    /// <summary>The bandwidth in use: <see cref="Bandwidth"/>, or two cells of the wider axis.</summary>
    public double EffectiveBandwidth => Bandwidth > 0 ? Bandwidth : 2 * Enumerable.Range(0, Axes.Length).Max(k => (Upper[k] - Lower[k]) / Grid);

    /// <summary>Throws an <see cref="InvalidInputException"/> naming <c>eulerian.FIELD</c> for particles of dimension <paramref name="dimension"/>.</summary>
    public void Validate(int dimension)
    {
        if (Grid < 2 || Grid > MaxGrid)
        {
            throw new InvalidInputException("eulerian.grid", $"must be between 2 and {MaxGrid}, got {Grid}");
        }

        var axes = dimension == 1 ? 1 : 2;
        if (Axes is null || Axes.Length != axes || Axes.Any(a => a < 0 || a >= dimension) || (axes == 2 && Axes[0] == Axes[1]))
        {
            throw new InvalidInputException("eulerian.axes", $"must be {(axes == 1 ? "[0] for d = 1" : $"two distinct coordinates in 0..{dimension - 1}")}, got [{string.Join(", ", Axes ?? [])}]");
        }

        if (Lower is null || Upper is null || Lower.Length != axes || Upper.Length != axes)
        {
            throw new InvalidInputException("eulerian.lower", $"lower and upper must have {axes} entries (one per axis)");
        }

        for (var k = 0; k < axes; k++)
        {
            if (!(double.IsFinite(Lower[k]) && double.IsFinite(Upper[k]) && Upper[k] > Lower[k]))
            {
                throw new InvalidInputException("eulerian.upper", $"axis {k}: the grid needs finite lower < upper, got {Lower[k].ToString("R", CultureInfo.InvariantCulture)} and {Upper[k].ToString("R", CultureInfo.InvariantCulture)}");
            }
        }

        if (!(double.IsFinite(Bandwidth) && Bandwidth >= 0))
        {
            throw new InvalidInputException("eulerian.bandwidth", $"must be a finite number >= 0 (0: two cells), got {Bandwidth.ToString("R", CultureInfo.InvariantCulture)}");
        }

        if (Modes < 1 || Modes > MaxModes)
        {
            throw new InvalidInputException("eulerian.modes", $"must be between 1 and {MaxModes}, got {Modes}");
        }
    }
}
