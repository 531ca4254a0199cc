using Transport.Numerics.Sampling;

namespace Transport.Grains.Interfaces;

/// <summary>
/// What a client asks the cluster to sample: the target (a small Gaussian or mixture inline, or an empirical data set
/// uploaded in chunks), the interpolant schedule, every field of <see cref="SamplingOptions"/> (named as run
/// specifications spell them) and the layout (particles, data shards, particle shards). The coordinator validates
/// everything before anything starts and raises <see cref="JobInputException"/> naming the field.
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("Transport.SamplingJobSpec")]
public sealed record SamplingJobSpec
{
    /// <summary>The target kind: <c>gaussian</c>, <c>mixture</c> or <c>empirical</c> (<c>target</c>).</summary>
    [Id(0)]
    public required string Target { get; init; }

    /// <summary>Dimension d of the data and the particles (<c>dimension</c>).</summary>
    [Id(1)]
    public required int Dimension { get; init; }

    /// <summary>Number of particles n (<c>particles</c>).</summary>
    [Id(2)]
    public required int Count { get; init; }

    /// <summary>Gaussian mean, d entries (<c>mean</c>).</summary>
    [Id(3)]
    public double[] Mean { get; init; } = [];

    /// <summary>Gaussian covariance, d x d row-major (<c>covariance</c>).</summary>
    [Id(4)]
    public double[] Covariance { get; init; } = [];

    /// <summary>Mixture weights, K entries (<c>weights</c>; positive, normalised by the target).</summary>
    [Id(5)]
    public double[] MixtureWeights { get; init; } = [];

    /// <summary>Mixture means, K x d row-major (<c>means</c>).</summary>
    [Id(6)]
    public double[] MixtureMeans { get; init; } = [];

    /// <summary>Mixture covariances, K x d x d row-major (<c>covariances</c>).</summary>
    [Id(7)]
    public double[] MixtureCovariances { get; init; } = [];

    /// <summary>Number of empirical data points (<c>data</c>), uploaded in chunks with their weights.</summary>
    [Id(8)]
    public int DataCount { get; init; }

    /// <summary>Data shards (contiguous blocks of the data), capped by the data count (<c>data-shards</c>).</summary>
    [Id(9)]
    public int DataShards { get; init; } = 1;

    /// <summary>Particle shards (contiguous blocks of the particles), capped by n (<c>particle-shards</c>).</summary>
    [Id(10)]
    public int ParticleShards { get; init; } = 1;

    /// <summary>
    /// Whether the source noise x0 is uploaded (<c>noise</c>); otherwise each particle shard draws its block with
    /// <see cref="SourceNoise.Fill"/>.
    /// </summary>
    [Id(11)]
    public bool UploadedNoise { get; init; }

    /// <summary>The schedule: <c>linear</c>, <c>trig</c> or <c>vp</c> (<c>schedule</c>).</summary>
    [Id(12)]
    public string Schedule { get; init; } = "linear";

    /// <summary>The sampler name (<c>sampler</c>, see <see cref="SamplingNames.ParseSampler"/>).</summary>
    [Id(13)]
    public string Sampler { get; init; } = "rk4";

    /// <summary>Steps of a fixed-step sampler (<c>steps</c>).</summary>
    [Id(14)]
    public int Steps { get; init; } = 32;

    /// <summary>Start time (<c>start</c>).</summary>
    [Id(15)]
    public double Start { get; init; }

    /// <summary>End time 1 - delta (<c>end</c>).</summary>
    [Id(16)]
    public double End { get; init; } = 1.0 - 1e-3;

    /// <summary>Time grid name (<c>grid</c>: uniform or karras).</summary>
    [Id(17)]
    public string Grid { get; init; } = "uniform";

    /// <summary>Karras rho (<c>karras-rho</c>).</summary>
    [Id(18)]
    public double KarrasRho { get; init; } = 7.0;

    /// <summary>Karras largest noise-to-signal ratio (<c>karras-max-ratio</c>).</summary>
    [Id(19)]
    public double KarrasMaxRatio { get; init; } = 80.0;

    /// <summary>DDIM eta (<c>eta</c>).</summary>
    [Id(20)]
    public double DdimEta { get; init; }

    /// <summary>SDE diffusion level (<c>diffusion</c>).</summary>
    [Id(21)]
    public double DiffusionLevel { get; init; } = 1.0;

    /// <summary>SDE diffusion profile name (<c>diffusion-profile</c>: noise or constant).</summary>
    [Id(22)]
    public string DiffusionProfile { get; init; } = "noise";

    /// <summary>Cut-off time of the constant profile (<c>diffusion-cutoff</c>).</summary>
    [Id(23)]
    public double DiffusionCutoff { get; init; } = 1.0;

    /// <summary>Corrector steps after every predictor step (<c>corrector-steps</c>).</summary>
    [Id(24)]
    public int CorrectorSteps { get; init; }

    /// <summary>Corrector signal-to-noise ratio (<c>corrector-snr</c>).</summary>
    [Id(25)]
    public double CorrectorSnr { get; init; } = 0.1;

    /// <summary>Whether to finish with the snapping step (<c>snap</c>).</summary>
    [Id(26)]
    public bool Snap { get; init; }

    /// <summary>Seed of the counter-based noise (<c>seed</c>).</summary>
    [Id(27)]
    public long Seed { get; init; }

    /// <summary>Relative tolerance of the adaptive sampler (<c>rtol</c>).</summary>
    [Id(28)]
    public double RelativeTolerance { get; init; } = 1e-6;

    /// <summary>Absolute tolerance of the adaptive sampler (<c>atol</c>).</summary>
    [Id(29)]
    public double AbsoluteTolerance { get; init; } = 1e-8;

    /// <summary>Cap on adaptive step attempts (<c>max-steps</c>).</summary>
    [Id(30)]
    public int MaxSteps { get; init; } = 100_000;

    /// <summary>
    /// For the <c>pairs</c> target (the coupled interpolant of an OT coupling): the pair sources x0_k, row-major
    /// (pairs x d), replicated to every particle shard.
    /// </summary>
    [Id(31)]
    public double[] PairSources { get; init; } = [];

    /// <summary>For the <c>pairs</c> target: the pair targets x1_k, row-major (pairs x d).</summary>
    [Id(32)]
    public double[] PairTargets { get; init; } = [];

    /// <summary>For the <c>pairs</c> target: the bandwidth sigma of the coupled interpolant's static latent.</summary>
    [Id(33)]
    public double PairBandwidth { get; init; } = 0.1;

    /// <summary>A spec with the fields of <paramref name="options"/> (its in-process diffusion function cannot cross the wire).</summary>
    public static SamplingJobSpec From(string target, int dimension, int count, SamplingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.DiffusionFunction is not null)
        {
            throw new JobInputException("diffusion", "diffusion: an in-process diffusion function cannot run on a cluster; use the level and profile");
        }

        return new SamplingJobSpec
        {
            Target = target,
            Dimension = dimension,
            Count = count,
            Sampler = SamplingNames.Name(options.Sampler),
            Steps = options.Steps,
            Start = options.Start,
            End = options.End,
            Grid = SamplingNames.Name(options.Grid),
            KarrasRho = options.KarrasRho,
            KarrasMaxRatio = options.KarrasMaxRatio,
            DdimEta = options.DdimEta,
            DiffusionLevel = options.DiffusionLevel,
            DiffusionProfile = SamplingNames.Name(options.DiffusionProfile),
            DiffusionCutoff = options.DiffusionCutoff,
            CorrectorSteps = options.CorrectorSteps,
            CorrectorSnr = options.CorrectorSnr,
            Snap = options.Snap,
            Seed = options.Seed,
            RelativeTolerance = options.RelativeTolerance,
            AbsoluteTolerance = options.AbsoluteTolerance,
            MaxSteps = options.MaxSteps,
        };
    }

    /// <summary>The engine's options; unknown names throw <see cref="Numerics.InvalidInputException"/> (not validated further: see <see cref="SamplingOptions.Validate"/>).</summary>
    public SamplingOptions ToOptions() => new()
    {
        Sampler = SamplingNames.ParseSampler(Sampler),
        Steps = Steps,
        Start = Start,
        End = End,
        Grid = SamplingNames.ParseGrid(Grid),
        KarrasRho = KarrasRho,
        KarrasMaxRatio = KarrasMaxRatio,
        DdimEta = DdimEta,
        DiffusionLevel = DiffusionLevel,
        DiffusionProfile = SamplingNames.ParseDiffusionProfile(DiffusionProfile),
        DiffusionCutoff = DiffusionCutoff,
        CorrectorSteps = CorrectorSteps,
        CorrectorSnr = CorrectorSnr,
        Snap = Snap,
        Seed = Seed,
        RelativeTolerance = RelativeTolerance,
        AbsoluteTolerance = AbsoluteTolerance,
        MaxSteps = MaxSteps,
    };

    /// <summary>A label its owner gives the job (listed by <c>transport runs list</c>); null: none.</summary>
    [Id(34)]
    public string? Label { get; init; }
}
