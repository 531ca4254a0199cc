namespace Transport.Client.Sampling;

/// <summary>
/// The options of <c>transport sample</c> as typed on the command line, before validation. Null means "not
/// given": the run specification (<c>--spec</c> / <c>--demo</c>) or the default supplies the value. Integer options
/// are kept as text so that their errors read like the other input errors.
/// </summary>
internal sealed record SampleArguments
{
    /// <summary><c>--target</c>: target JSON or .npy data set.</summary>
    public string? Target { get; init; }

    /// <summary><c>--target-weights</c>: weights of a .npy data set.</summary>
    public string? TargetWeights { get; init; }

    /// <summary><c>--noise</c>: source points (.npy, n x d).</summary>
    public string? Noise { get; init; }

    /// <summary><c>--source</c>: Gaussian source JSON.</summary>
    public string? Source { get; init; }

    /// <summary><c>--schedule</c>.</summary>
    public string? Schedule { get; init; }

    /// <summary><c>--sampler</c>.</summary>
    public string? Sampler { get; init; }

    /// <summary><c>--grid</c>.</summary>
    public string? Grid { get; init; }

    /// <summary><c>--steps</c>: one count or a comma list.</summary>
    public string? Steps { get; init; }

    /// <summary><c>--n</c>.</summary>
    public string? Count { get; init; }

    /// <summary><c>--coupling</c>.</summary>
    public string? Coupling { get; init; }

    /// <summary><c>--seed</c>.</summary>
    public string? Seed { get; init; }

    /// <summary><c>--shards</c>.</summary>
    public string? Shards { get; init; }

    /// <summary><c>--particle-shards</c>.</summary>
    public string? ParticleShards { get; init; }

    /// <summary><c>--corrector-steps</c>.</summary>
    public string? CorrectorSteps { get; init; }

    /// <summary><c>--delta</c>.</summary>
    public double? Delta { get; init; }

    /// <summary><c>--eta</c>.</summary>
    public double? Eta { get; init; }

    /// <summary><c>--diffusion</c>.</summary>
    public double? Diffusion { get; init; }

    /// <summary><c>--corrector-snr</c>.</summary>
    public double? CorrectorSnr { get; init; }

    /// <summary><c>--tolerance</c>.</summary>
    public double? Tolerance { get; init; }

    /// <summary><c>--coupling-pairs</c>.</summary>
    public string? CouplingPairs { get; init; }

    /// <summary><c>--coupling-solver</c>.</summary>
    public string? CouplingSolver { get; init; }

    /// <summary><c>--coupling-bandwidth</c>.</summary>
    public double? CouplingBandwidth { get; init; }

    /// <summary><c>--coupling-blur</c>.</summary>
    public double? CouplingBlur { get; init; }

    /// <summary><c>--snap</c>.</summary>
    public bool Snap { get; init; }

    /// <summary><c>--spec</c>.</summary>
    public string? Spec { get; init; }

    /// <summary><c>--demo</c>.</summary>
    public string? Demo { get; init; }

    /// <summary><c>--out</c>.</summary>
    public string? Out { get; init; }

    /// <summary><c>--force</c>: replace a non-empty <c>--out</c> folder.</summary>
    public bool Force { get; init; }

    /// <summary><c>--cluster</c>.</summary>
    public string? Cluster { get; init; }

    /// <summary><c>--cluster-id</c>.</summary>
    public string ClusterId { get; init; } = "transport";

    /// <summary><c>--service-id</c>.</summary>
    public string ServiceId { get; init; } = "transport-distributed";

    /// <summary><c>--quiet</c>.</summary>
    public bool Quiet { get; init; }

    /// <summary><c>--verbose</c>.</summary>
    public bool Verbose { get; init; }

    /// <summary>--telemetry: none, console (spans on stderr) or otlp.</summary>
    public string Telemetry { get; init; } = "none";

    /// <summary>--detach: submit the study to the --cluster and print its id instead of waiting.</summary>
    public bool Detach { get; init; }

    /// <summary>--label: a label listed by <c>transport runs list</c>.</summary>
    public string? Label { get; init; }
}
