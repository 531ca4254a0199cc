using Transport.Numerics.Sampling;
using Transport.Numerics.Sampling.Study;

namespace Transport.Grains.Interfaces;

/// <summary>
/// A whole <c>transport sample</c> study as a cluster job: the target (a Gaussian or mixture inline, or a data set
/// uploaded in chunks with its weights), the source, every sampler setting and the step counts (one run each). The
/// study coordinator rebuilds the same <see cref="SampleRequest"/> the console built, checks it with
/// <see cref="SampleRequestChecks"/> and runs <see cref="SampleStudy"/> on sampling jobs, so the study does not need
/// its client: a detached run is collected later with <c>transport runs fetch</c>.
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("Transport.SampleStudySpec")]
public sealed record SampleStudySpec
{
    /// <summary>Target kind: <c>gaussian</c>, <c>mixture</c> or <c>data</c>.</summary>
    [Id(0)]
    public required string Target { get; init; }

    /// <summary>Dimension d.</summary>
    [Id(1)]
    public required int Dimension { get; init; }

    /// <summary>Number of particles n.</summary>
    [Id(2)]
    public required int Count { get; init; }

    /// <summary>Normalised component weights (Gaussian and mixture); a data set's weights are uploaded.</summary>
    [Id(3)]
    public double[] ComponentWeights { get; init; } = [];

    /// <summary>Component means, K x d row-major.</summary>
    [Id(4)]
    public double[] Means { get; init; } = [];

    /// <summary>Component covariances, K x d x d row-major.</summary>
    [Id(5)]
    public double[] Covariances { get; init; } = [];

    /// <summary>Number of data points of a data set target (uploaded with their weights).</summary>
    [Id(6)]
    public int DataCount { get; init; }

    /// <summary>Mean of a Gaussian source, or null for the standard normal.</summary>
    [Id(7)]
    public double[]? SourceMean { get; init; }

    /// <summary>Covariance of a Gaussian source (d x d row-major), or null.</summary>
    [Id(8)]
    public double[]? SourceCovariance { get; init; }

    /// <summary>Whether the source points are uploaded (<c>--noise</c>).</summary>
    [Id(9)]
    public bool UploadedNoise { get; init; }

    /// <summary>Step counts, one run each (ascending; the adaptive sampler's single 0).</summary>
    [Id(10)]
    public required int[] Steps { get; init; }

    /// <summary>Schedule name.</summary>
    [Id(11)]
    public required string Schedule { get; init; }

    /// <summary>Sampler name.</summary>
    [Id(12)]
    public required string Sampler { get; init; }

    /// <summary>Time grid name.</summary>
    [Id(13)]
    public required string Grid { get; init; }

    /// <summary>The runs end at t = 1 - delta.</summary>
    [Id(14)]
    public required double Delta { get; init; }

    /// <summary>DDIM stochasticity.</summary>
    [Id(15)]
    public double Eta { get; init; }

    /// <summary>SDE diffusion level.</summary>
    [Id(16)]
    public double Diffusion { get; init; } = 1.0;

    /// <summary>Corrector steps per time step.</summary>
    [Id(17)]
    public int CorrectorSteps { get; init; }

    /// <summary>Corrector signal-to-noise ratio.</summary>
    [Id(18)]
    public double CorrectorSnr { get; init; } = 0.16;

    /// <summary>Whether the final points are snapped to the denoiser's estimate.</summary>
    [Id(19)]
    public bool Snap { get; init; }

    /// <summary>Seed of the noise, the SDE increments and the metrics' draws.</summary>
    [Id(20)]
    public long Seed { get; init; }

    /// <summary>Coupling name.</summary>
    [Id(21)]
    public string Coupling { get; init; } = "independent";

    /// <summary>Data shards.</summary>
    [Id(22)]
    public int Shards { get; init; } = 1;

    /// <summary>Particle shards.</summary>
    [Id(23)]
    public int ParticleShards { get; init; } = 1;

    /// <summary>Adaptive sampler tolerance.</summary>
    [Id(24)]
    public double Tolerance { get; init; } = 1e-6;

    /// <summary>Coupling pairs of an <c>ot</c> coupling.</summary>
    [Id(25)]
    public int CouplingPairs { get; init; } = 1000;

    /// <summary>Coupling solver name.</summary>
    [Id(26)]
    public string CouplingSolver { get; init; } = "sinkhorn";

    /// <summary>Coupled interpolant bandwidth.</summary>
    [Id(27)]
    public double CouplingBandwidth { get; init; } = 0.1;

    /// <summary>Coupling Sinkhorn blur (fraction of the diameter).</summary>
    [Id(28)]
    public double CouplingBlur { get; init; } = 0.01;

    /// <summary>Owner-supplied label shown by <c>transport runs list</c>.</summary>
    [Id(29)]
    public string? Label { get; init; }

    /// <summary>The spec of <paramref name="request"/> run with <paramref name="steps"/> (the data set and the noise travel as uploads).</summary>
    public static SampleStudySpec From(SampleRequest request, IReadOnlyList<int> steps, string? label = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(steps);
        var target = request.Target;
        var data = target.Kind == SampleTarget.Data;
        return new SampleStudySpec
        {
            Target = target.Kind,
            Dimension = target.Dimension,
            Count = request.Count,
            ComponentWeights = data ? [] : target.Weights,
            Means = data ? [] : [.. target.Means.SelectMany(m => m)],
            Covariances = data ? [] : [.. target.Covariances.SelectMany(c => c)],
            DataCount = data ? target.Count : 0,
            SourceMean = request.SourceMean,
            SourceCovariance = request.SourceCovariance,
            UploadedNoise = request.Noise is not null,
            Steps = [.. steps],
            Schedule = request.Schedule,
            Sampler = request.Sampler,
            Grid = request.Grid,
            Delta = request.Delta,
            Eta = request.Eta,
            Diffusion = request.Diffusion,
            CorrectorSteps = request.CorrectorSteps,
            CorrectorSnr = request.CorrectorSnr,
            Snap = request.Snap,
            Seed = request.Seed,
            Coupling = request.Coupling,
            Shards = request.Shards,
            ParticleShards = request.ParticleShards,
            Tolerance = request.Tolerance,
            CouplingPairs = request.CouplingPairs,
            CouplingSolver = request.CouplingSolver,
            CouplingBandwidth = request.CouplingBandwidth,
            CouplingBlur = request.CouplingBlur,
            Label = label,
        };
    }

    /// <summary>
    /// The request this spec describes, with the uploaded data set (points and weights summing to one) and noise; the
    /// shapes are checked here, every field by <see cref="SampleRequestChecks"/>. Throws
    /// <see cref="Numerics.InvalidInputException"/> naming the field.
    /// </summary>
    public SampleRequest ToRequest(double[]? dataPoints, double[]? dataWeights, double[]? noise) => ToRequest(dataPoints, dataWeights, noise, buildTarget: true);

    /// <summary>
    /// Checks every field that does not need the uploads (a coordinator's check at creation): a data set target is
    /// stood in for by one point at the origin and not built.
    /// </summary>
    public void CheckBeforeUploads()
    {
        var placeholder = Target == SampleTarget.Data ? new double[Math.Max(Dimension, 0)] : null;
        _ = ToRequest(placeholder, placeholder is null ? null : [1.0], null, buildTarget: Target != SampleTarget.Data);
    }

    private SampleRequest ToRequest(double[]? dataPoints, double[]? dataWeights, double[]? noise, bool buildTarget)
    {
        var d = Dimension;
        if (d < 1)
        {
            throw new Numerics.InvalidInputException("dimension", $"must be at least 1, got {d}");
        }

        // A client may send null where it means none, as it may for the means and covariances (Rows reads null as empty).
        var weights = ComponentWeights ?? [];

        var target = Target switch
        {
            SampleTarget.Data => new SampleTarget(SampleTarget.Data, d, dataWeights ?? [], [], [], dataPoints ?? []),
            SampleTarget.Gaussian or SampleTarget.Mixture => new SampleTarget(Target, d, weights, Rows(Means, d, "target.means"), Rows(Covariances, d * d, "target.covariances"), null),
            _ => throw new Numerics.InvalidInputException("target", $"unknown kind '{Target}' (expected gaussian, mixture or data)"),
        };
        if (target.Kind != SampleTarget.Data && (target.Means.Length != weights.Length || target.Means.Length != target.Covariances.Length || target.Means.Length == 0 || (Target == SampleTarget.Gaussian && target.Means.Length != 1)))
        {
            throw new Numerics.InvalidInputException("target", $"a {Target} target needs as many weights, means and covariances (one for a Gaussian), got {weights.Length}, {target.Means.Length} and {target.Covariances.Length}");
        }

        var request = new SampleRequest
        {
            Target = target,
            SourceMean = SourceMean,
            SourceCovariance = SourceCovariance,
            Schedule = Schedule,
            Sampler = Sampler,
            Grid = Grid,
            Delta = Delta,
            Eta = Eta,
            Diffusion = Diffusion,
            CorrectorSteps = CorrectorSteps,
            CorrectorSnr = CorrectorSnr,
            Snap = Snap,
            Seed = Seed,
            Coupling = Coupling,
            Shards = Shards,
            ParticleShards = ParticleShards,
            Tolerance = Tolerance,
            CouplingPairs = CouplingPairs,
            CouplingSolver = CouplingSolver,
            CouplingBandwidth = CouplingBandwidth,
            CouplingBlur = CouplingBlur,
            Noise = noise,
            Count = Count,
        };
        SampleRequestChecks.Check(request, Steps ?? [], buildTarget);
        return request;
    }

    private static double[][] Rows(double[] values, int width, string field)
    {
        if (values is null || values.Length % width != 0)
        {
            throw new Numerics.InvalidInputException(field, $"holds {values?.Length ?? 0} values, not a multiple of {width}");
        }

        return [.. values.Chunk(width)];
    }
}
