using System.Diagnostics;
using Transport.Numerics;
using Transport.Numerics.Sampling;

namespace Transport.Client.Sampling;

/// <summary>
/// Runs a <see cref="SampleRequest"/> in this process with the Numerics samplers (<see cref="FlowSampler"/> for
/// euler/heun/rk4/ddim, <see cref="AdaptiveFlowSampler"/>, <see cref="SdeSampler"/>) on the whole batch. Shard counts
/// are ignored: the samplers' results do not depend on how particles or data are split. Options that need the
/// cluster runner (Karras grid, eta &gt; 0, correctors, a non-standard source, OT coupling) are rejected as input
/// errors naming the option.
/// </summary>
internal sealed class LocalSampleRunner : ISampleRunner, ISampleRunnerLimits
{
    /// <summary>
    /// The SDE's constant diffusion is switched off from this time on: the score grows like 1/a(t)^2 near t = 1,
    /// so Euler-Maruyama would need tiny steps there (math.md 2.4, "near t -&gt; 1, g must vanish").
    /// </summary>
    public const double DiffusionCutoff = 0.9;

    /// <inheritdoc />
    public void CheckSupported(SampleRequest request) => CheckLocal(request);

    /// <summary>Throws for the options this runner cannot honour; call it before any output exists.</summary>
    public static void CheckLocal(SampleRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Grid != "uniform")
        {
            throw NotAvailable("grid", request.Grid);
        }

        if (request.Eta > 0.0)
        {
            throw NotAvailable("eta", request.Eta.ToString("G6", System.Globalization.CultureInfo.InvariantCulture));
        }

        if (request.CorrectorSteps > 0)
        {
            throw NotAvailable("corrector-steps", request.CorrectorSteps.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (request.SourceMean is not null)
        {
            throw NotAvailable("source", "a non-standard Gaussian source");
        }

        if (request.Coupling != "independent")
        {
            throw NotAvailable("coupling", request.Coupling);
        }
    }

    /// <inheritdoc />
    public Task<SampleRunResult> RunAsync(SampleRequest request, int steps, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        CheckLocal(request);
        return Task.Run(() => Run(request, steps, ct), ct);
    }

    private static SampleRunResult Run(SampleRequest request, int steps, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var clock = Stopwatch.StartNew();
        var field = new InterpolantField(SampleTargets.Schedule(request.Schedule), SampleTargets.Build(request.Target));
        var source = request.Noise ?? SourceNoise.Draw(request.Seed, 0, request.Count, request.Dimension);
        var end = request.EndTime;
        var (samples, evaluations) = request.Sampler switch
        {
            "adaptive" => Adaptive(field, request.Tolerance, source, end),
            "sde" => Result(new SdeSampler(field, SdeSampler.ConstantDiffusion(request.Diffusion, DiffusionCutoff)).Sample(source, steps, end, request.Seed)),
            var name => Result(new FlowSampler(field, Method(name)).Sample(source, steps, end)),
        };
        ct.ThrowIfCancellationRequested();
        if (request.Snap)
        {
            // x <- D(1 - delta, x): one more denoiser evaluation on the batch.
            var snapped = new double[samples.Length];
            field.Denoiser(end, samples, snapped);
            samples = snapped;
            evaluations++;
        }

        return new SampleRunResult(samples, evaluations, clock.Elapsed.TotalSeconds);
    }

    private static (double[] Samples, int Evaluations) Adaptive(InterpolantField field, double tolerance, double[] source, double end)
    {
        var result = new AdaptiveFlowSampler(field, tolerance, tolerance).Sample(source, end);
        return (result.Particles, result.Evaluations);
    }

    private static (double[] Samples, int Evaluations) Result(SamplingResult result) => (result.Particles, result.Evaluations);

    private static SamplerMethod Method(string name) => name switch
    {
        "euler" => SamplerMethod.Euler,
        "heun" => SamplerMethod.Heun,
        "rk4" => SamplerMethod.Rk4,
        "ddim" => SamplerMethod.Ddim,
        _ => throw new InvalidInputException("sampler", $"unknown sampler '{name}'"),
    };

    private static InvalidInputException NotAvailable(string field, string value) =>
        new(field, $"{value} is not available in the local runner yet (only with the cluster runner)");
}
