using System.Globalization;

namespace Transport.Numerics.Flows;

/// <summary>
/// The flow schedule, independent of where the blocks live (math.md 1.4). Per stage: every block forms its
/// stage positions and partial sums (<see cref="IFlowBackend.BeginStageAsync"/>), the driver builds the
/// globals and calls <see cref="IFlowModel.PrepareStage"/> once, then every block computes its velocities
/// (<see cref="IFlowBackend.VelocityAsync"/>). Every global quantity is recomputed at every stage. Fixed-step
/// integrators take t_end/h steps of size h (when t_end is not a multiple of h, the last one is shortened to end at t_end); the adaptive integrator
/// (Dormand-Prince 5(4)) accepts a step when the combined error norm is at most 1 and controls h with
/// h' = h min(5, max(0.2, 0.9 err^(-1/5))) (no growth right after a rejection). The first stage is evaluated
/// afresh at every accepted state (no first-same-as-last reuse: on the sphere the last stage is taken before
/// renormalisation) and reused after a rejection, since state and time are unchanged. Euler-Maruyama adds
/// g(t_n) sqrt(h) xi with xi keyed by (seed, global id, step n, stage 0, component).
/// Awaits keep the caller's scheduler, so a grain can run the schedule on its own activation.
/// </summary>
public static class FlowDriver
{
    private const double Safety = 0.9;
    private const double MinFactor = 0.2;
    private const double MaxFactor = 5.0;

    /// <summary>Fixed-point iterates a JKO step may take.</summary>
    public const int MaxImplicitIterations = 200;

    /// <summary>Runs the flow from the backend's current positions to <see cref="FlowOptions.EndTime"/>.</summary>
    /// <param name="backend">Where the blocks live.</param>
    /// <param name="model">The model (the same object the blocks use, or an equivalent one).</param>
    /// <param name="options">Integrator, step, end time, snapshots, seed and tolerances (validated here).</param>
    /// <param name="progress">Called with every diagnostics row as it is produced.</param>
    /// <param name="cancellationToken">Checked before every step.</param>
    public static Task<FlowTrajectory> RunAsync(
        IFlowBackend backend,
        IFlowModel model,
        FlowOptions options,
        Action<FlowStepDiagnostics>? progress,
        CancellationToken cancellationToken) =>
        RunAsync(backend, model, options, progress, checkpoints: null, resume: null, cancellationToken);

    /// <summary>
    /// Runs the flow with checkpoints: after every accepted step <paramref name="checkpoints"/> is asked whether one is
    /// due and then given the driver's state (<see cref="FlowRunCheckpoint"/>). With <paramref name="resume"/>, the run
    /// continues from that checkpoint (the backend's particles must already be back at its step): the snapshots and
    /// diagnostics rows it holds are kept, the model's state is restored, and the steps that follow are the
    /// uninterrupted run's, bit for bit.
    /// </summary>
    /// <param name="backend">Where the blocks live.</param>
    /// <param name="model">The model.</param>
    /// <param name="options">Integrator, step, end time, snapshots, seed and tolerances (validated here).</param>
    /// <param name="progress">Called with every diagnostics row as it is produced.</param>
    /// <param name="checkpoints">Where checkpoints go (null: none).</param>
    /// <param name="resume">The checkpoint to continue from (null: start at t = 0).</param>
    /// <param name="cancellationToken">Checked before every step.</param>
    public static async Task<FlowTrajectory> RunAsync(
        IFlowBackend backend,
        IFlowModel model,
        FlowOptions options,
        Action<FlowStepDiagnostics>? progress,
        IFlowCheckpoints? checkpoints,
        FlowRunCheckpoint? resume,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var diffusion = model.Diffusion(0);
        if (options.Integrator != FlowIntegrator.EulerMaruyama && diffusion != 0)
        {
            throw new InvalidInputException(
                "integrator",
                $"{FlowNames.Name(options.Integrator)} is deterministic but model '{model.Name}' has noise g(0) = {diffusion.ToString("R", CultureInfo.InvariantCulture)}; use euler-maruyama");
        }

        var run = new Run(backend, model, options, progress, checkpoints, cancellationToken);
        if (resume is null)
        {
            await run.SnapshotAsync(0, 0);
        }
        else
        {
            run.Restore(resume);
        }

        if (options.Integrator == FlowIntegrator.Adaptive)
        {
            await run.AdaptiveAsync();
        }
        else
        {
            await run.FixedAsync();
        }

        return run.Finish();
    }

    private sealed class Run(IFlowBackend backend, IFlowModel model, FlowOptions options, Action<FlowStepDiagnostics>? progress, IFlowCheckpoints? checkpoints, CancellationToken cancellationToken)
    {
        private readonly ButcherTableau tableau = ButcherTableau.For(options.Integrator);
        private readonly List<FlowSnapshot> snapshots = [];
        private readonly List<FlowStepDiagnostics> diagnostics = [];
        private long steps;
        private long rejected;
        private double time;

        // The adaptive controller's next step size (the fixed step otherwise).
        private double nextStep = options.Step;

        /// <summary>Takes the state of a checkpoint back (the backend's particles are already at its step).</summary>
        public void Restore(FlowRunCheckpoint resume)
        {
            if (resume.Snapshots.Count == 0)
            {
                throw new ArgumentException("a checkpoint holds at least the initial snapshot", nameof(resume));
            }

            snapshots.AddRange(resume.Snapshots);
            diagnostics.AddRange(resume.Diagnostics);
            (steps, rejected, time, nextStep) = (resume.Steps, resume.Rejected, resume.Time, resume.NextStep);
            if (model is IFlowModelState stateful)
            {
                stateful.RestoreState(resume.ModelState);
            }
        }

        public async Task FixedAsync()
        {
            var count = options.FixedStepCount();
            var h = options.Step;
            for (var n = steps; n < count; n++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var start = n * h;
                var last = n == count - 1;
                var remainder = options.EndTime - start;
                var step = last && Math.Abs(remainder - h) > 1e-9 * h ? remainder : h;
                var (energy, kinetic, eulerian) = await StageAsync(0, start, step, measure: true, grids: n % options.SnapshotEvery == 0);
                var change = double.NaN;
                if (options.Integrator == FlowIntegrator.Jko)
                {
                    change = await ImplicitStepAsync(start, step, n);
                }
                else
                {
                    for (var s = 1; s < tableau.Stages; s++)
                    {
                        await StageAsync(s, start + (tableau.C[s] * step), step, measure: false);
                    }

                    var noise = options.Integrator == FlowIntegrator.EulerMaruyama ? model.Diffusion(start) * Math.Sqrt(step) : 0.0;
                    await backend.CompleteStepAsync(step, n, noise, cancellationToken);
                    await backend.CommitStepAsync(true, cancellationToken);
                }

                Record(new FlowStepDiagnostics(n, start, step, energy, kinetic, 0, change) { Eulerian = eulerian });
                steps = n + 1;
                time = last ? options.EndTime : (n + 1) * h;
                if (steps % options.SnapshotEvery == 0 || last)
                {
                    await SnapshotAsync(steps, time);
                }

                await CheckpointAsync();
            }

            time = options.EndTime;
            await FinalRowAsync();
        }

        /// <summary>
        /// One JKO step, y = x + h v(t + h, y), by fixed-point iteration from y = x + h v(t, x): every iterate is one
        /// stage-1 evaluation on every block; the step is taken when the last change is at most 1 in the rtol / atol norm.
        /// Returns that change. The iteration contracts when h times the field's Lipschitz constant is below 1; it is
        /// refused after <see cref="MaxImplicitIterations"/> iterates.
        /// </summary>
        private async Task<double> ImplicitStepAsync(double start, double step, long n)
        {
            for (var iterate = 1; ; iterate++)
            {
                await StageAsync(1, start + step, step, measure: false);
                var change = (await backend.CompleteStepAsync(step, n, 0.0, cancellationToken)).Norm(options.ErrorNorm);
                if (change <= 1.0)
                {
                    await backend.CommitStepAsync(true, cancellationToken);
                    return change;
                }

                await backend.CommitStepAsync(false, cancellationToken);
                if (iterate >= MaxImplicitIterations || double.IsNaN(change))
                {
                    throw new InvalidOperationException(string.Create(
                        CultureInfo.InvariantCulture,
                        $"jko: the implicit step at t = {start:R} did not converge in {iterate} fixed-point iterations (last change {change:G3} in the rtol/atol norm); the iteration contracts only when step x Lipschitz(v) < 1: lower step"));
                }
            }
        }

        public async Task AdaptiveAsync()
        {
            var end = options.EndTime;
            var h = nextStep;
            var minimum = 1e-14 * Math.Max(1.0, end);
            while (time < end)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (steps >= options.MaxSteps)
                {
                    throw new InvalidOperationException($"adaptive integration reached max_steps = {options.MaxSteps} at t = {time.ToString("R", CultureInfo.InvariantCulture)} before t_end");
                }

                var (energy, kinetic, eulerian) = await StageAsync(0, time, Math.Min(h, end - time), measure: true, grids: steps % options.SnapshotEvery == 0);
                var attempts = 0;
                while (true)
                {
                    var step = Math.Min(h, end - time);
                    var last = step >= end - time;
                    for (var s = 1; s < tableau.Stages; s++)
                    {
                        await StageAsync(s, time + (tableau.C[s] * step), step, measure: false);
                    }

                    var partial = await backend.CompleteStepAsync(step, steps, 0.0, cancellationToken);
                    var error = partial.Norm(options.ErrorNorm);
                    if (error <= 1.0)
                    {
                        await backend.CommitStepAsync(true, cancellationToken);
                        Record(new FlowStepDiagnostics(steps, time, step, energy, kinetic, attempts, error) { Eulerian = eulerian });
                        var growth = error == 0 ? MaxFactor : Math.Min(MaxFactor, Math.Max(MinFactor, Safety * Math.Pow(error, -1.0 / 5)));
                        if (attempts > 0)
                        {
                            growth = Math.Min(growth, 1.0);
                        }

                        steps++;
                        time = last ? end : time + step;
                        h = last ? h : step * growth;
                        if (steps % options.SnapshotEvery == 0 || last)
                        {
                            await SnapshotAsync(steps, time);
                        }

                        nextStep = h;
                        await CheckpointAsync();
                        break;
                    }

                    await backend.CommitStepAsync(false, cancellationToken);
                    attempts++;
                    rejected++;
                    var shrink = double.IsNaN(error) ? MinFactor : Math.Max(MinFactor, Safety * Math.Pow(error, -1.0 / 5));
                    h = step * shrink;
                    if (h < minimum)
                    {
                        throw new InvalidOperationException($"adaptive step size underflow (h = {h.ToString("R", CultureInfo.InvariantCulture)}) at t = {time.ToString("R", CultureInfo.InvariantCulture)}; the error norm was {error.ToString("R", CultureInfo.InvariantCulture)}");
                    }

                    cancellationToken.ThrowIfCancellationRequested();
                }
            }

            await FinalRowAsync();
        }

        public async Task SnapshotAsync(long step, double at)
        {
            var positions = await backend.GatherPositionsAsync(cancellationToken);
            snapshots.Add(new FlowSnapshot(step, at, positions));
        }

        /// <summary>A checkpoint after an accepted step, when one is due.</summary>
        private async Task CheckpointAsync()
        {
            if (checkpoints is null || !checkpoints.Due(steps))
            {
                return;
            }

            var modelState = model is IFlowModelState stateful ? stateful.CaptureState() : null;
            await checkpoints.SaveAsync(new FlowRunCheckpoint(steps, rejected, time, nextStep, [.. diagnostics], [.. snapshots], modelState), cancellationToken);
        }

        public FlowTrajectory Finish() =>
            new(snapshots[0].Positions.Length / model.Dimension, model.Dimension, snapshots, diagnostics, steps, rejected, time);

        private async Task FinalRowAsync()
        {
            var (energy, kinetic, eulerian) = await StageAsync(0, time, 0.0, measure: true, grids: true);
            Record(new FlowStepDiagnostics(steps, time, 0.0, energy, kinetic, 0, double.NaN) { Eulerian = eulerian });
        }

        private void Record(FlowStepDiagnostics row)
        {
            diagnostics.Add(row);
            progress?.Invoke(row);
        }

        /// <summary>
        /// One stage on every block; with <paramref name="measure"/> its energy, kinetic energy and Eulerian partials,
        /// whose grids (histogram and density) are summed only when <paramref name="grids"/>: at snapshot states, so that
        /// a long run holds them as often as positions (the moments and test functions, which the continuity residual
        /// integrates, come with every measured stage).
        /// </summary>
        private async Task<(double Energy, double Kinetic, double[]? Eulerian)> StageAsync(int stage, double at, double step, bool measure, bool grids = false)
        {
            var inputs = await backend.BeginStageAsync(stage, at, step, cancellationToken);
            var globals = new FlowGlobals(at, inputs.AllPositions, inputs.AllWeights, inputs.Sums, ReadOnlyMemory<double>.Empty) { MeasureGrids = grids };
            // Stage preparation can be heavy (Sinkhorn solves); off the caller's scheduler so that a
            // coordinator grain keeps answering status and cancellation meanwhile.
            var prepared = globals;
            var stageData = model is IAsyncFlowStage elsewhere
                ? await elsewhere.PrepareStageAsync(prepared, cancellationToken)
                : await Task.Run(() => model.PrepareStage(prepared), cancellationToken);
            globals = globals.WithStageData(stageData);
            var measured = await backend.VelocityAsync(stage, globals, measure, cancellationToken);
            return measure ? (measured.EnergyShare + model.GlobalEnergy(globals), measured.KineticEnergy, measured.Eulerian) : (double.NaN, double.NaN, null);
        }
    }
}
