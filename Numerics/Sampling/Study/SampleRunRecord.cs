namespace Transport.Numerics.Sampling.Study;

/// <summary>One run of a sweep: its step count, what the runner returned, and its metrics.</summary>
/// <param name="Steps">Requested step count (0 for the adaptive sampler, which chooses its own).</param>
/// <param name="Result">The runner's result.</param>
/// <param name="Metrics">Metric name to value, in the order of <see cref="SampleMetricsBuilder.Build"/>.</param>
public sealed record SampleRunRecord(int Steps, SampleRunResult Result, OrderedDictionary<string, double> Metrics);
