using Transport.Grains.Interfaces;
using Transport.Numerics.Sampling;
using Xunit.Abstractions;

namespace Transport.Grains.Tests;

/// <summary>
/// A sampling run survives the loss of a silo holding some of its data or particle shards, or its coordinator: data
/// shards read their sealed blocks back, particle shards roll back to the last committed checkpoint (counts and masses
/// checked), and the driver resumes from the state saved with it. The samples equal the uninterrupted run's.
/// </summary>
[Collection(RecoveryTestGroup.Name)]
public sealed class SamplingRecoveryTests(ITestOutputHelper log)
{
    // The noise is keyed by (seed, particle, step) and the resumed driver repeats the uninterrupted run's arithmetic from
    // the checkpoint on: equal to rounding, and the contract is 1e-9 relative.
    private const double Relative = 1e-9;

    private const int Particles = 90;

    private const int DataCount = 120;

    /// <summary>The SDE sampler with correctors (stochastic, fixed grid) and the adaptive one (its step size restored).</summary>
    [Theory]
    [InlineData("sde", false)]
    [InlineData("adaptive", true)]
    public async Task A_sampling_run_survives_the_loss_of_a_silo_with_the_uninterrupted_samples(string sampler, bool withCoordinator)
    {
        await using var recovery = await RecoveryCluster.StartAsync();
        var data = SamplingTestData.Clusters(DataCount, seed: 12);
        var options = sampler == "sde"
            ? new SamplingOptions { Sampler = SamplerKind.Sde, Steps = 160, CorrectorSteps = 1, End = 0.95, Seed = 3 }
            : new SamplingOptions { Sampler = SamplerKind.Adaptive, End = 0.99, RelativeTolerance = 1e-9, AbsoluteTolerance = 1e-11, Seed = 3 };
        var spec = SamplingTestData.Empirical(DataCount, Particles, dataShards: 2, particleShards: 3, options);

        var expected = await SamplingJobClient.RunAsync(recovery.Grains, "sampling-uninterrupted", spec, data.Points, data.Weights, ReadOnlyMemory<double>.Empty);
        Assert.Equal(0, expected.Result.Recoveries);
        Assert.True(expected.Result.Checkpoints > 0, "the uninterrupted run wrote no checkpoint");
        Assert.True(expected.Result.Steps > 6 * RecoveryCluster.CheckpointEvery, $"only {expected.Result.Steps} steps: too short to interrupt");

        var coordinator = await recovery.KillDuringRunAsync(
            async id =>
            {
                var created = recovery.Grains.GetGrain<ISamplingCoordinatorGrain>(id);
                await created.CreateAsync(spec);
                return created;
            },
            id => Enumerable.Range(0, spec.ParticleShards).Select(k => (IGrain)recovery.Grains.GetGrain<ISamplingParticleShardGrain>(SamplingLayout.ParticleShardKey(id, k)))
                .Concat(Enumerable.Range(0, spec.DataShards).Select(k => recovery.Grains.GetGrain<ISamplingDataShardGrain>(SamplingLayout.DataShardKey(id, k)))),
            id => recovery.Grains.GetGrain<ISamplingCoordinatorGrain>(id).ReleaseAsync(),
            withCoordinator,
            id => SamplingJobClient.SubmitAsync(recovery.Grains, id, spec, data.Points, data.Weights, ReadOnlyMemory<double>.Empty),
            async submitted =>
            {
                var status = await submitted.GetStatusAsync();
                return (status.IsTerminal, status.Progress.Steps >= (2 * RecoveryCluster.CheckpointEvery) + 2, status.Progress.Steps < expected.Result.Steps - 1);
            },
            log);

        var ended = await SamplingJobClient.WaitAsync(recovery.Grains, coordinator);
        Assert.True(ended.State == JobState.Completed, $"{ended.State}: {ended.Error}");
        var actual = await SamplingJobClient.DownloadAsync(coordinator);
        log.WriteLine($"recoveries {actual.Result.Recoveries}, checkpoints {actual.Result.Checkpoints}, steps {actual.Result.Steps}");

        Assert.True(actual.Result.Recoveries >= 1, "the run did not recover: the victim held none of its shards?");
        Assert.Equal(expected.Result.Steps, actual.Result.Steps);
        Assert.Equal(expected.Result.RejectedSteps, actual.Result.RejectedSteps);
        Assert.Equal(expected.Result.Evaluations, actual.Result.Evaluations);
        Problems.AssertClose(expected.Result.KineticEnergy, actual.Result.KineticEnergy, Relative, 1e-300, "kinetic energy");
        Assert.Equal(expected.Samples.Length, actual.Samples.Length);
        for (var i = 0; i < expected.Samples.Length; i++)
        {
            var (x, y) = (expected.Samples[i], actual.Samples[i]);
            Assert.True(Math.Abs(x - y) <= Relative * Math.Max(1, Math.Abs(x)), $"sample value {i}: {x:R} vs {y:R}");
        }
    }
}
