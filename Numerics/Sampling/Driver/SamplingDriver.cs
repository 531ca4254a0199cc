namespace Transport.Numerics.Sampling;

/// <summary>What a sampling run did.</summary>
/// <param name="Evaluations">Velocity or denoiser evaluations per particle (NFE), rejected adaptive stages and correctors included.</param>
/// <param name="Steps">Accepted steps.</param>
/// <param name="RejectedSteps">Rejected adaptive step attempts.</param>
/// <param name="KineticEnergy">E integral |v|^2 dt along the paths (mean over particles; predictor steps only).</param>
/// <param name="Times">The accepted time points, from start to end.</param>
public sealed record SamplingReport(int Evaluations, int Steps, int RejectedSteps, double KineticEnergy, IReadOnlyList<double> Times);

/// <summary>Progress of a run: the step just finished, its end time and the evaluations so far.</summary>
/// <param name="Step">Steps done.</param>
/// <param name="Time">The time reached.</param>
/// <param name="Evaluations">Evaluations so far.</param>
public readonly record struct SamplingProgress(int Step, double Time, int Evaluations);

/// <summary>
/// Drives a sampling run over an <see cref="ISamplingBackend"/>: lays out the time grid, steps every block,
/// applies the correctors and the final snap, and for the adaptive sampler runs the Dormand-Prince step-size
/// control on the error norm of the whole cloud (so all blocks share one time grid and the result does not depend on
/// how the particles are split). The same driver runs in process and on the cluster's coordinator.
/// </summary>
public static class SamplingDriver
{
    private const double Safety = 0.9;
    private const double MinFactor = 0.2;
    private const double MaxFactor = 5.0;

    /// <summary>Runs the sampler of <paramref name="options"/> on <paramref name="backend"/>.</summary>
    public static Task<SamplingReport> RunAsync(
        ISamplingBackend backend,
        SamplingOptions options,
        InterpolantSchedule schedule,
        IProgress<SamplingProgress>? progress = null,
        CancellationToken cancellationToken = default) =>
        RunAsync(backend, options, schedule, progress, checkpoints: null, resume: null, cancellationToken);

    /// <summary>
    /// Runs the sampler with checkpoints: after every step <paramref name="checkpoints"/> is asked whether one is due and
    /// then given the driver's state. With <paramref name="resume"/>, the run continues from that checkpoint (the
    /// backend's particles must already be back at its step; the adaptive sampler re-evaluates the velocity at the
    /// restored state, which its first-same-as-last stage held, and does not count that evaluation).
    /// </summary>
    public static async Task<SamplingReport> RunAsync(
        ISamplingBackend backend,
        SamplingOptions options,
        InterpolantSchedule schedule,
        IProgress<SamplingProgress>? progress,
        ISamplingCheckpoints? checkpoints,
        SamplingRunCheckpoint? resume,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(schedule);
        options.Validate();
        var report = options.Sampler == SamplerKind.Adaptive
            ? await AdaptiveAsync(backend, options, progress, checkpoints, resume, cancellationToken).ConfigureAwait(false)
            : await FixedAsync(backend, options, schedule, progress, checkpoints, resume, cancellationToken).ConfigureAwait(false);
        if (options.Snap)
        {
            await backend.SnapAsync(options.End, cancellationToken).ConfigureAwait(false);
            report = report with { Evaluations = report.Evaluations + 1 };
        }

        return report;
    }

    private static async Task<SamplingReport> FixedAsync(
        ISamplingBackend backend,
        SamplingOptions options,
        InterpolantSchedule schedule,
        IProgress<SamplingProgress>? progress,
        ISamplingCheckpoints? checkpoints,
        SamplingRunCheckpoint? resume,
        CancellationToken cancellationToken)
    {
        var times = TimeGrid.Build(options, schedule);
        var evaluations = resume?.Evaluations ?? 0;
        var total = resume is null ? StepTotals.Zero : new StepTotals(resume.KineticEnergy, resume.Particles);
        var particles = resume?.Particles ?? 0L;
        for (var k = resume?.Steps ?? 0; k < options.Steps; k++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var step = await backend.StepAsync(k, times[k], times[k + 1], cancellationToken).ConfigureAwait(false);
            total = total.Add(step);
            particles = step.Particles;
            evaluations += options.EvaluationsPerStep;
            if (options.CorrectorSteps > 0)
            {
                await backend.CorrectAsync(k, times[k + 1], cancellationToken).ConfigureAwait(false);
                evaluations += options.CorrectorSteps;
            }

            progress?.Report(new SamplingProgress(k + 1, times[k + 1], evaluations));
            if (checkpoints is not null && k + 1 < options.Steps && checkpoints.Due(k + 1))
            {
                // The particle count of the last step is what the report divides by; kept as the sums' count.
                await checkpoints.SaveAsync(new SamplingRunCheckpoint(k + 1, 0, evaluations, total.KineticEnergy, particles, 0.0, []), cancellationToken).ConfigureAwait(false);
            }
        }

        return new SamplingReport(evaluations, options.Steps, 0, particles > 0 ? total.KineticEnergy / particles : 0.0, times);
    }

    private static async Task<SamplingReport> AdaptiveAsync(
        ISamplingBackend backend,
        SamplingOptions options,
        IProgress<SamplingProgress>? progress,
        ISamplingCheckpoints? checkpoints,
        SamplingRunCheckpoint? resume,
        CancellationToken cancellationToken)
    {
        var end = options.End;
        double t, h;
        int evaluations, accepted, rejected;
        StepTotals total;
        List<double> times;
        if (resume is null)
        {
            t = options.Start;
            var norms = await backend.StartAdaptiveAsync(t, cancellationToken).ConfigureAwait(false);
            (evaluations, h, accepted, rejected, total, times) = (1, InitialStep(norms, end - t), 0, 0, StepTotals.Zero, [t]);
        }
        else
        {
            // The velocity at the restored state: bit for bit the last stage the uninterrupted run kept (same state, same time).
            t = resume.Time;
            await backend.StartAdaptiveAsync(t, cancellationToken).ConfigureAwait(false);
            (evaluations, h, accepted, rejected, total, times) = (resume.Evaluations, resume.StepSize, resume.Steps, resume.Rejected, new StepTotals(resume.KineticEnergy, resume.Particles), [.. resume.Times]);
        }

        while (t < end)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (accepted + rejected >= options.MaxSteps)
            {
                throw new InvalidOperationException($"adaptive sampler: {options.MaxSteps} step attempts reached at t = {t}");
            }

            var last = t + h >= end;
            if (last)
            {
                h = end - t;
            }

            var stepEnd = last ? end : t + h;
            var errorTotals = await backend.ProposeAsync(t, h, stepEnd, cancellationToken).ConfigureAwait(false);
            evaluations += 6;
            var error = Math.Sqrt(errorTotals.First / errorTotals.Count);
            var accept = error <= 1.0;
            total = total.Add(await backend.CommitAsync(accept, cancellationToken).ConfigureAwait(false));
            if (accept)
            {
                t = stepEnd;
                accepted++;
                times.Add(t);
                progress?.Report(new SamplingProgress(accepted, t, evaluations));
            }
            else
            {
                rejected++;
            }

            var factor = error == 0.0 ? MaxFactor : Math.Clamp(Safety * Math.Pow(error, -0.2), MinFactor, MaxFactor);
            if (!accept)
            {
                factor = Math.Min(factor, 1.0);
            }

            h *= factor;
            if (t < end && !(h > 1e-14 * Math.Max(1.0, Math.Abs(t))))
            {
                throw new InvalidOperationException($"adaptive sampler: step size {h} underflows at t = {t}");
            }

            if (accept && t < end && checkpoints is not null && checkpoints.Due(accepted))
            {
                await checkpoints.SaveAsync(new SamplingRunCheckpoint(accepted, rejected, evaluations, total.KineticEnergy, total.Particles, h, [.. times]), cancellationToken).ConfigureAwait(false);
            }
        }

        // Particle counts are added once per commit; the kinetic sums are per particle.
        var particles = total.Particles / Math.Max(1, accepted + rejected);
        var kinetic = particles > 0 ? total.KineticEnergy / particles : 0.0;
        return new SamplingReport(evaluations, accepted, rejected, kinetic, times);
    }

    private static double InitialStep(NormTotals norms, double span)
    {
        // Hairer-Norsett-Wanner heuristic: a step that moves the state by about 1% of its scaled size.
        var stateNorm = Math.Sqrt(norms.First / norms.Count);
        var velocityNorm = Math.Sqrt(norms.Second / norms.Count);
        var h = stateNorm < 1e-5 || velocityNorm < 1e-5 ? 1e-6 : 0.01 * stateNorm / velocityNorm;
        return Math.Min(h, span);
    }
}
