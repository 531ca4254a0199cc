using System.Diagnostics;
using Transport.Numerics.Sampling.Coupling;

namespace Transport.Numerics.Sampling.Study;

/// <summary>
/// Runs a <see cref="SampleRequest"/> in this process: the single-process reference path, the same
/// <see cref="SamplingDriver"/> and <see cref="ParticleBlockSampler"/> the cluster's particle shards run, on one block
/// of particles, with the coupling (if any) solved by the in-process Sinkhorn solver. The tests and library users use it to run
/// a study without a silo; <c>transport sample</c> itself runs its studies on a cluster, through the grains' runner.
/// </summary>
public sealed class LocalSampleRunner : ISampleRunner
{
    private readonly SamplingPlanCache _plans = new(SolveInProcess);

    /// <inheritdoc />
    public async Task<SampleRunResult> RunAsync(SampleRequest request, int steps, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var plan = await _plans.GetAsync(request, ct);
        return await Task.Run(() => RunAsync(plan, request, steps, ct), ct);
    }

    private static async Task<SampleRunResult> RunAsync(SamplingPlan plan, SampleRequest request, int steps, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var options = SamplingPlan.Options(request, steps);
        var backend = new LocalSamplingBackend(plan.LocalField(), options, plan.Noise);
        var report = await SamplingDriver.RunAsync(backend, options, plan.Schedule, null, ct);
        var y = backend.Positions();
        return new SampleRunResult(plan.Unwhiten(request, y), report.Evaluations, clock.Elapsed.TotalSeconds)
        {
            KineticEnergy = report.KineticEnergy,
            Displacement = plan.Displacement(y),
            Steps = report.Steps,
        };
    }

    private static Task<double[]> SolveInProcess(double[] sources, double[] targets, int dimension, double epsilon, CancellationToken ct) =>
        Task.Run(() => OtCoupling.SinkhornMap(sources, targets, dimension, epsilon), ct);
}
