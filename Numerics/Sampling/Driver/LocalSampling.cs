namespace Transport.Numerics.Sampling;

/// <summary>Synchronous conveniences over <see cref="SamplingDriver"/> for in-process fields.</summary>
public static class LocalSampling
{
    /// <summary>
    /// Runs <paramref name="options"/> on the row-major batch <paramref name="source"/> (not modified) in one block
    /// whose first particle has the global id <paramref name="firstId"/>. Only for fields whose evaluations complete
    /// synchronously (in-process targets), since it waits on the driver.
    /// </summary>
    public static SamplingResult Run(IVelocityField field, SamplingOptions options, ReadOnlySpan<double> source, long firstId = 0)
    {
        ArgumentNullException.ThrowIfNull(field);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var block = new ParticleBlockSampler(field, options, source, firstId);
        var backend = new SingleBlockBackend(block);
        var report = SamplingDriver.RunAsync(backend, options, field.Schedule).GetAwaiter().GetResult();
        return new SamplingResult(block.Positions.ToArray(), report.Evaluations);
    }

    private sealed class SingleBlockBackend(ParticleBlockSampler block) : ISamplingBackend
    {
        public ValueTask<StepTotals> StepAsync(int index, double t, double nextTime, CancellationToken cancellationToken) =>
            block.StepAsync(index, t, nextTime, cancellationToken);

        public ValueTask CorrectAsync(int index, double t, CancellationToken cancellationToken) => block.CorrectAsync(index, t, cancellationToken);

        public ValueTask SnapAsync(double t, CancellationToken cancellationToken) => block.SnapAsync(t, cancellationToken);

        public ValueTask<NormTotals> StartAdaptiveAsync(double t, CancellationToken cancellationToken) => block.StartAdaptiveAsync(t, cancellationToken);

        public ValueTask<NormTotals> ProposeAsync(double t, double h, double stepEnd, CancellationToken cancellationToken) =>
            block.ProposeAsync(t, h, stepEnd, cancellationToken);

        public ValueTask<StepTotals> CommitAsync(bool accept, CancellationToken cancellationToken) => ValueTask.FromResult(block.Commit(accept));
    }
}
