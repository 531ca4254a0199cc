namespace Transport.Numerics.Flows.Eulerian;

/// <summary>
/// Where each quantity sits in an Eulerian partial vector, and the test functions, for <see cref="EulerianOptions"/>
/// and particles of dimension d. Layout: the mass, the first moments (d), the second moments x_k x_l for k &lt;= l
/// (d(d+1)/2), the test functions' values (modes), their fluxes grad phi . v + (g^2/2) lap phi (modes), the histogram
/// and the kernel density (grid cells each: G or G x G, row-major with the first axis slowest).
/// </summary>
public sealed class EulerianLayout
{
    /// <summary>Lays out the partials of <paramref name="options"/> for dimension <paramref name="dimension"/> (validated).</summary>
    public EulerianLayout(EulerianOptions options, int dimension)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(dimension);
        Options = options;
        Dimension = dimension;
        MomentCount = 1 + dimension + (dimension * (dimension + 1) / 2);
        Cells = options.Axes.Length == 1 ? options.Grid : options.Grid * options.Grid;
        PhiOffset = MomentCount;
        FluxOffset = PhiOffset + options.Modes;
        HistogramOffset = FluxOffset + options.Modes;
        DensityOffset = HistogramOffset + Cells;
        Length = DensityOffset + Cells;

        // The test functions: frequencies w ~ N(0, (2 pi / L)^2 I) with L the grid's wider extent, phases uniform; the
        // same on every block (a fixed seed), so that the blocks' sums add.
        var extent = Enumerable.Range(0, options.Axes.Length).Max(k => options.Upper[k] - options.Lower[k]);
        var random = new Random(unchecked((int)(options.Seed ^ (options.Seed >> 32))));
        Frequencies = new double[options.Modes * dimension];
        Phases = new double[options.Modes];
        for (var m = 0; m < options.Modes; m++)
        {
            for (var k = 0; k < dimension; k++)
            {
                Frequencies[(m * dimension) + k] = 2 * Math.PI / extent * Normal(random);
            }

            Phases[m] = 2 * Math.PI * random.NextDouble();
        }
    }

    /// <summary>The options laid out.</summary>
    public EulerianOptions Options { get; }

    /// <summary>d.</summary>
    public int Dimension { get; }

    /// <summary>1 + d + d(d+1)/2.</summary>
    public int MomentCount { get; }

    /// <summary>Grid cells: G for one axis, G x G for two.</summary>
    public int Cells { get; }

    /// <summary>Start of the test functions' values.</summary>
    public int PhiOffset { get; }

    /// <summary>Start of the test functions' fluxes.</summary>
    public int FluxOffset { get; }

    /// <summary>Start of the histogram (mass per cell).</summary>
    public int HistogramOffset { get; }

    /// <summary>Start of the kernel density (density at cell centres).</summary>
    public int DensityOffset { get; }

    /// <summary>The partial vector's length.</summary>
    public int Length { get; }

    /// <summary>Frequencies w_m, row-major modes x d.</summary>
    public double[] Frequencies { get; }

    /// <summary>Phases theta_m.</summary>
    public double[] Phases { get; }

    private static double Normal(Random random)
    {
        // Box-Muller: 1 - U keeps the logarithm finite.
        var u = 1.0 - random.NextDouble();
        var v = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v);
    }
}
