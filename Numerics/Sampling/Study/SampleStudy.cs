using System.Diagnostics;
using System.Globalization;

namespace Transport.Numerics.Sampling.Study;

/// <summary>What a study produced: how the reference was obtained and one record per step count, ascending.</summary>
/// <param name="ReferenceMethod">How the reference end points were obtained (closed form or adaptive run).</param>
/// <param name="Runs">One record per step count, in the order of the study's counts.</param>
public sealed record SampleStudyOutcome(string ReferenceMethod, IReadOnlyList<SampleRunRecord> Runs);

/// <summary>
/// A sampling study: the reference end points (closed form or an adaptive run), then one run per step count with its
/// metrics against the reference and the target. It is written once and runs wherever its runner does: in this
/// process (<see cref="LocalSampleRunner"/>) or on a cluster, where a study coordinator grain drives the same loop with
/// sampling jobs, so an attached and a detached <c>transport sample</c> produce the same numbers.
/// </summary>
public static class SampleStudy
{
    /// <summary>
    /// Runs the study. <paramref name="progress"/> receives one line per phase (the reference, each run, its
    /// metrics); the CPU-bound metrics run on the thread pool so that a caller on a single-threaded scheduler (a
    /// grain) stays responsive.
    /// </summary>
    public static async Task<SampleStudyOutcome> RunAsync(SampleRequest request, IReadOnlyList<int> steps, ISampleRunner runner, Action<string>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(steps);
        ArgumentNullException.ThrowIfNull(runner);
        if (steps.Count == 0)
        {
            throw new InvalidInputException("steps", "lists no step count");
        }

        progress?.Invoke($"sample: {request.Target.Kind} target, d = {request.Dimension}, n = {request.Count}, {request.Schedule} schedule, {request.Sampler}, steps {string.Join(",", steps)}");
        progress?.Invoke("sample: computing the reference (the target's exact samples or the finest run the metrics compare against)");
        var clock = Stopwatch.StartNew();
        var (reference, referenceMethod) = await SampleMetricsBuilder.ReferenceAsync(request, runner, cancellationToken);
        progress?.Invoke(string.Create(CultureInfo.InvariantCulture, $"sample: reference by {referenceMethod} in {clock.Elapsed.TotalSeconds:F1} s"));
        var runs = new List<SampleRunRecord>(steps.Count);
        foreach (var count in steps)
        {
            progress?.Invoke(string.Create(CultureInfo.InvariantCulture, $"sample: running {(count == 0 ? "the adaptive sampler" : $"{count} steps")}"));
            var result = await runner.RunAsync(request, count, cancellationToken);
            progress?.Invoke("sample: metrics against the reference");
            var metrics = await Task.Run(() => SampleMetricsBuilder.Build(request, result.Samples, reference), cancellationToken);
            SampleMetricsBuilder.AddStraightness(metrics, result);
            runs.Add(new SampleRunRecord(count == 0 ? result.Steps : count, result, metrics));
            progress?.Invoke(string.Create(
                CultureInfo.InvariantCulture,
                $"sample {request.Sampler} steps {count,6}  nfe {result.Evaluations,6}  flow-map error {metrics[SampleMetricsBuilder.FlowMapError],-12:G4}  {result.Seconds,7:F2} s"));
        }

        return new SampleStudyOutcome(referenceMethod, runs);
    }
}
