using Transport.Numerics.Flows;

namespace Transport.Grains.Interfaces;

/// <summary>
/// What a client asks the cluster to simulate: the model, the population size and the integrator options
/// (the fields of <see cref="FlowOptions"/>, named as run specifications spell them). The coordinator validates
/// everything before anything starts and raises <see cref="JobInputException"/> naming the field.
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("Transport.FlowJobSpec")]
public sealed record FlowJobSpec
{
    /// <summary>The model (<c>model</c> and its parameters).</summary>
    [Id(0)]
    public required FlowModelSpec Model { get; init; }

    /// <summary>Number of particles n (rows of <c>initial</c>).</summary>
    [Id(1)]
    public required int Count { get; init; }

    /// <summary>Dimension d of a particle; must equal the model's dimension.</summary>
    [Id(2)]
    public required int Dimension { get; init; }

    /// <summary>Shards (contiguous blocks of particles), capped by n (<c>shards</c>).</summary>
    [Id(3)]
    public int Shards { get; init; } = 1;

    /// <summary>The integrator (<c>integrator</c>).</summary>
    [Id(4)]
    public FlowIntegrator Integrator { get; init; } = FlowIntegrator.Rk4;

    /// <summary>Step size h &gt; 0 (<c>step</c>), the initial step for the adaptive integrator.</summary>
    [Id(5)]
    public required double Step { get; init; }

    /// <summary>Final time (<c>t_end</c>).</summary>
    [Id(6)]
    public required double EndTime { get; init; }

    /// <summary>Snapshot every this many steps (<c>snapshot_every</c>).</summary>
    [Id(7)]
    public int SnapshotEvery { get; init; } = 1;

    /// <summary>Seed of the counter-based noise (<c>seed</c>).</summary>
    [Id(8)]
    public long Seed { get; init; }

    /// <summary>Relative tolerance of the adaptive integrator (<c>rtol</c>).</summary>
    [Id(9)]
    public double RelativeTolerance { get; init; } = 1e-6;

    /// <summary>Absolute tolerance of the adaptive integrator (<c>atol</c>).</summary>
    [Id(10)]
    public double AbsoluteTolerance { get; init; } = 1e-9;

    /// <summary>Error norm of the adaptive integrator (<c>error_norm</c>).</summary>
    [Id(11)]
    public FlowErrorNorm ErrorNorm { get; init; } = FlowErrorNorm.Rms;

    /// <summary>Return to the sphere for spherical models (<c>sphere_step</c>).</summary>
    [Id(12)]
    public FlowSphereStep SphereStep { get; init; } = FlowSphereStep.Renormalise;

    /// <summary>Cap on accepted steps (<c>max_steps</c>).</summary>
    [Id(13)]
    public int MaxSteps { get; init; } = 1_000_000;

    /// <summary>A spec with the integrator fields of <paramref name="options"/>.</summary>
    public static FlowJobSpec From(FlowModelSpec model, int count, int dimension, int shards, FlowOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        return new FlowJobSpec
        {
            Model = model,
            Count = count,
            Dimension = dimension,
            Shards = shards,
            Integrator = options.Integrator,
            Step = options.Step,
            EndTime = options.EndTime,
            SnapshotEvery = options.SnapshotEvery,
            Seed = options.Seed,
            RelativeTolerance = options.RelativeTolerance,
            AbsoluteTolerance = options.AbsoluteTolerance,
            ErrorNorm = options.ErrorNorm,
            SphereStep = options.SphereStep,
            MaxSteps = options.MaxSteps,
            Eulerian = EulerianSpec.From(options.Eulerian),
        };
    }

    /// <summary>The engine's options (not validated here: see <see cref="FlowOptions.Validate"/>).</summary>
    public FlowOptions ToOptions() => new()
    {
        Integrator = Integrator,
        Step = Step,
        EndTime = EndTime,
        SnapshotEvery = SnapshotEvery,
        Seed = Seed,
        RelativeTolerance = RelativeTolerance,
        AbsoluteTolerance = AbsoluteTolerance,
        ErrorNorm = ErrorNorm,
        SphereStep = SphereStep,
        MaxSteps = MaxSteps,
        Eulerian = Eulerian?.ToOptions(),
    };

    /// <summary>A label its owner gives the job (listed by <c>transport runs list</c>); null: none.</summary>
    [Id(14)]
    public string? Label { get; init; }

    /// <summary>
    /// The angular threshold in radians (<c>cluster_angle</c>) at which the outputs of token models (attention,
    /// Sinkformer) count clusters: single linkage, tokens linked when the angle between them is at most this. Kept
    /// with the job so that a fetched run writes what the attached one would.
    /// </summary>
    [Id(15)]
    public double ClusterAngle { get; init; } = DefaultClusterAngle;

    /// <summary>The default <see cref="ClusterAngle"/>: 0.01 rad, the gap math.md TR-4 counts clusters at.</summary>
    public const double DefaultClusterAngle = 0.01;

    /// <summary>What to measure of the density at every accepted step (<c>eulerian</c>); null: nothing.</summary>
    [Id(16)]
    public EulerianSpec? Eulerian { get; init; }
}
