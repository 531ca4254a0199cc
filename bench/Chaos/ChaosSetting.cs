namespace Transport.Bench.Chaos;

/// <summary>What every client of a chaos run shares: options, inputs, the cluster to submit to, and where things go.</summary>
internal sealed record ChaosSetting(ChaosOptions Options, IReadOnlyList<ChaosInput> Inputs, ProcessSet Processes, string ConsoleDll, string Cluster, string ClusterId, string WorkDirectory)
{
    /// <summary>Where each job writes its outputs (removed when they equal the reference).</summary>
    public string JobsDirectory => Path.Combine(WorkDirectory, "jobs");
}
