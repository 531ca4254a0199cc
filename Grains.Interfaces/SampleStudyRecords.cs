using System.Globalization;

namespace Transport.Grains.Interfaces;

/// <summary>
/// Progress of a sampling study: its phase, the lines a person reads (the same lines an attached
/// <c>transport sample</c> prints), and the runs done out of all.
/// </summary>
/// <param name="Phase">The latest line.</param>
/// <param name="Lines">Every progress line so far, oldest first (a study has a few per run).</param>
/// <param name="RunsDone">Runs completed.</param>
/// <param name="RunsTotal">Runs in the study.</param>
[GenerateSerializer]
[Immutable]
[Alias("Transport.SampleStudyProgress")]
public sealed record SampleStudyProgress(
    [property: Id(0)] string Phase,
    [property: Id(1)] string[] Lines,
    [property: Id(2)] int RunsDone,
    [property: Id(3)] int RunsTotal)
{
    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"runs {RunsDone}/{RunsTotal}  {Phase}");
}

/// <summary>One run of a completed study: what the sampling job reported and the metrics the study computed.</summary>
[GenerateSerializer]
[Immutable]
[Alias("Transport.SampleStudyRun")]
public sealed record SampleStudyRun
{
    /// <summary>Requested step count (accepted steps for the adaptive sampler).</summary>
    [Id(0)]
    public required int Steps { get; init; }

    /// <summary>Denoiser evaluations per particle (NFE).</summary>
    [Id(1)]
    public required int Evaluations { get; init; }

    /// <summary>Wall-clock seconds of the run.</summary>
    [Id(2)]
    public required double Seconds { get; init; }

    /// <summary>Kinetic energy along the paths.</summary>
    [Id(3)]
    public required double KineticEnergy { get; init; }

    /// <summary>Mean squared displacement.</summary>
    [Id(4)]
    public required double Displacement { get; init; }

    /// <summary>Accepted steps.</summary>
    [Id(5)]
    public required int AcceptedSteps { get; init; }

    /// <summary>Metric names, in the order the study computed them.</summary>
    [Id(6)]
    public required string[] MetricNames { get; init; }

    /// <summary>Metric values, one per name (NaN where a metric does not apply).</summary>
    [Id(7)]
    public required double[] MetricValues { get; init; }

    /// <summary>The sampling job's traffic (<see cref="SamplingJobResult.Traffic"/>).</summary>
    [Id(8)]
    public JobTraffic Traffic { get; init; } = JobTraffic.None;
}

/// <summary>The scalar results of a completed study; the last run's samples are fetched in chunks.</summary>
[GenerateSerializer]
[Immutable]
[Alias("Transport.SampleStudyResult")]
public sealed record SampleStudyResult
{
    /// <summary>How the reference end points were obtained.</summary>
    [Id(0)]
    public required string ReferenceMethod { get; init; }

    /// <summary>One entry per step count, ascending.</summary>
    [Id(1)]
    public required SampleStudyRun[] Runs { get; init; }

    /// <summary>Seconds of the whole study.</summary>
    [Id(2)]
    public required double Seconds { get; init; }

    /// <summary>Number of samples n.</summary>
    [Id(3)]
    public required int Count { get; init; }

    /// <summary>Dimension d.</summary>
    [Id(4)]
    public required int Dimension { get; init; }
}
