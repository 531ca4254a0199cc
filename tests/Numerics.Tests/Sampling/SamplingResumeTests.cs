using Transport.Numerics.Sampling;

namespace Transport.Numerics.Tests.Sampling;

/// <summary>
/// A sampling run resumed from a checkpoint (the driver's state and the particles saved with it, in blocks built afresh)
/// ends with the uninterrupted run's particles and report, bit for bit: the noise of the stochastic samplers and the
/// correctors is keyed by (seed, particle, step), and the adaptive sampler's first stage at the restored state is the
/// velocity the uninterrupted run kept. This is what a cluster's recovery relies on.
/// </summary>
public sealed class SamplingResumeTests
{
    public static TheoryData<SamplerKind, int, bool> Runs() => new()
    {
        { SamplerKind.Sde, 0, false },
        { SamplerKind.Heun, 2, true },
        { SamplerKind.Ddim, 0, false },
        { SamplerKind.Adaptive, 0, false },
    };

    [Theory]
    [MemberData(nameof(Runs))]
    public async Task A_run_resumed_from_any_checkpoint_equals_the_uninterrupted_run_bit_for_bit(SamplerKind sampler, int correctors, bool snap)
    {
        var target = new EmpiricalTarget([.. Enumerable.Range(0, 24).Select(i => Math.Sin(i) * 1.5)], 2);
        var field = new InterpolantField(new LinearSchedule(), target);
        var options = new SamplingOptions { Sampler = sampler, Steps = 12, CorrectorSteps = correctors, Snap = snap, Seed = 9, DdimEta = 0.5, RelativeTolerance = 1e-6, AbsoluteTolerance = 1e-8 };
        var source = new double[2 * 17];
        SourceNoise.Fill(9, 0, 2, source);

        var backend = new LocalSamplingBackend(field, options, source, blockCount: 3);
        var sink = new RecordingSink(backend);
        var uninterrupted = await SamplingDriver.RunAsync(backend, options, field.Schedule, null, sink, null, CancellationToken.None);
        var expected = backend.Positions();
        Assert.True(sink.Saved.Count >= 3, $"only {sink.Saved.Count} checkpoints");

        foreach (var (state, positions) in sink.Saved)
        {
            var resumedBackend = new LocalSamplingBackend(field, options, positions, blockCount: 3);
            var resumed = await SamplingDriver.RunAsync(resumedBackend, options, field.Schedule, null, null, state, CancellationToken.None);
            Assert.Equal(expected, resumedBackend.Positions());
            Assert.Equal(uninterrupted.Steps, resumed.Steps);
            Assert.Equal(uninterrupted.RejectedSteps, resumed.RejectedSteps);
            Assert.Equal(uninterrupted.Evaluations, resumed.Evaluations);
            Assert.Equal(uninterrupted.KineticEnergy, resumed.KineticEnergy);
            Assert.Equal(uninterrupted.Times, resumed.Times);
        }
    }

    /// <summary>Checkpoints every second step, with the particles at that step (what shards would save).</summary>
    private sealed class RecordingSink(LocalSamplingBackend backend) : ISamplingCheckpoints
    {
        public List<(SamplingRunCheckpoint State, double[] Positions)> Saved { get; } = [];

        public bool Due(int steps) => steps % 2 == 0;

        public Task SaveAsync(SamplingRunCheckpoint state, CancellationToken cancellationToken)
        {
            Saved.Add((state, backend.Positions()));
            return Task.CompletedTask;
        }
    }
}
