using Transport.Numerics.Sampling.Coupling;

namespace Transport.Numerics.Sampling.Study;

/// <summary>Solves the entropic OT coupling of two equal-size clouds and returns the barycentric image of every source point.</summary>
public delegate Task<double[]> SinkhornMapSolver(double[] sources, double[] targets, int dimension, double epsilon, CancellationToken cancellationToken);

/// <summary>
/// Everything a runner needs, prepared once per request and shared by every run of a sweep, so the in-process and
/// cluster runners integrate the same problem:
/// <list type="bullet">
/// <item>a non-standard Gaussian source N(mu0, L L^T) is handled by whitening (math.md 2.2 assumes standard noise):
/// the run integrates y from z = L^{-1}(x0 - mu0) towards the target pushed through L^{-1}, and the samples are mapped
/// back by x = a(end) mu0 + L y (a = 0 after snapping, whose output is a data estimate);</item>
/// <item>an <c>ot</c> coupling draws <see cref="SampleRequest.CouplingPairs"/> pair sources (standard noise, in the
/// whitened coordinates) and as many exact target draws, matches them (exact assignment, or entropic OT through the
/// given solver: the cluster's distributed Sinkhorn) and replaces the target by the coupled interpolant of those
/// pairs.</item>
/// </list>
/// </summary>
public sealed class SamplingPlan
{
    private readonly GaussianSource? _source;

    private SamplingPlan(SampleRequest request, GaussianSource? source, SampleTarget target, double[] noise, CouplingPairs? pairs)
    {
        Request = request;
        _source = source;
        Target = target;
        Noise = noise;
        Pairs = pairs;
        Schedule = SampleTargets.Schedule(request.Schedule);
    }

    /// <summary>The request.</summary>
    public SampleRequest Request { get; }

    /// <summary>The schedule.</summary>
    public InterpolantSchedule Schedule { get; }

    /// <summary>The target in whitened coordinates (the request's target when the source is standard).</summary>
    public SampleTarget Target { get; }

    /// <summary>The whitened source points z (n x d): the particles' start.</summary>
    public double[] Noise { get; }

    /// <summary>Whether the noise differs from the default counter-based draw (so a cluster must receive it).</summary>
    public bool NoiseIsCustom => Request.Noise is not null || _source is not null;

    /// <summary>The coupling pairs of an <c>ot</c> run (null for the independent coupling).</summary>
    public CouplingPairs? Pairs { get; }

    /// <summary>Prepares <paramref name="request"/>; <paramref name="sinkhorn"/> solves a Sinkhorn coupling when one is asked for.</summary>
    public static async Task<SamplingPlan> CreateAsync(SampleRequest request, SinkhornMapSolver sinkhorn, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(sinkhorn);
        var d = request.Dimension;
        GaussianSource? source = request.SourceMean is null
            ? null
            : new GaussianSource(request.SourceMean, SampleTarget.Square(request.SourceCovariance!, d));
        var raw = request.Noise ?? (source is null ? SourceNoise.Create(request.Seed, request.Count, d) : source.Draw(request.Seed, 0, request.Count));
        var noise = source is null ? raw : source.Whiten(raw);
        var target = source is null ? request.Target : request.Target.Transformed(source.CholeskyFactor.Inverse());
        CouplingPairs? pairs = null;
        if (request.Coupling == "ot")
        {
            var sources = OtCoupling.DrawSources(request.Seed, request.CouplingPairs, d);
            // Stream 2 keeps the coupling's target draws apart from the metrics' reference draws (stream 1).
            var draws = target.Draw(request.CouplingPairs, request.Seed, stream: 2);
            // The exact assignment is O(pairs^3): off the caller's thread, which may be a grain's scheduler.
            pairs = request.CouplingSolver == "exact"
                ? await Task.Run(() => OtCoupling.Exact(sources, draws, d), cancellationToken)
                : OtCoupling.FromMap(sources, await sinkhorn(sources, draws, d, OtCoupling.Epsilon(sources, draws, d, request.CouplingBlur), cancellationToken), d);
        }

        return new SamplingPlan(request, source, target, noise, pairs);
    }

    /// <summary>The engine's options for a run of <paramref name="steps"/> steps (ignored by the adaptive sampler).</summary>
    public static SamplingOptions Options(SampleRequest request, int steps)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new SamplingOptions
        {
            Sampler = Kind(request.Sampler),
            Steps = Math.Max(steps, 1),
            End = request.EndTime,
            Grid = request.Grid == "karras" ? TimeGridKind.Karras : TimeGridKind.Uniform,
            DdimEta = request.Eta,
            DiffusionLevel = request.Diffusion,
            DiffusionProfile = DiffusionProfile.ProportionalToNoise,
            CorrectorSteps = request.CorrectorSteps,
            CorrectorSnr = request.CorrectorSnr,
            Snap = request.Snap,
            Seed = request.Seed,
            RelativeTolerance = request.Tolerance,
            AbsoluteTolerance = request.Tolerance,
        };
    }

    /// <summary>The engine's sampler for a sampler name of the command line.</summary>
    public static SamplerKind Kind(string name) => name switch
    {
        "euler" => SamplerKind.Euler,
        "heun" => SamplerKind.Heun,
        "rk4" => SamplerKind.Rk4,
        "adaptive" => SamplerKind.Adaptive,
        "ddim" => SamplerKind.Ddim,
        _ => SamplerKind.Sde,
    };

    /// <summary>The in-process velocity field (coupled pairs, or the interpolant of the whitened target).</summary>
    public IVelocityField LocalField() => Pairs is { } pairs
        ? new CoupledPairsField(pairs.Sources, pairs.Targets, pairs.Dimension, Request.CouplingBandwidth, Schedule)
        : new InterpolantField(Schedule, SampleTargets.Build(Target));

    /// <summary>Maps the run's end points y (whitened) back to the source's coordinates.</summary>
    public double[] Unwhiten(SampleRequest request, double[] y)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _source is null ? y : _source.Unwhiten(request.Snap ? 0.0 : Schedule.A(request.EndTime), y);
    }

    /// <summary>The run's displacement E|x(end) - x(0)|^2 in the coordinates it integrates (whitened when the source is not standard).</summary>
    public double Displacement(double[] y) => SampleDistances.MeanSquaredDistance(y, Noise, Request.Dimension);
}
