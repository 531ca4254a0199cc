namespace Transport.Grains.Interfaces;

/// <summary>Lifecycle of every job (Sinkhorn, flow, sampling).</summary>
public enum JobState
{
    /// <summary>Created; accepting uploads.</summary>
    Created,

    /// <summary>Running on the shards.</summary>
    Running,

    /// <summary>Finished; the result is available.</summary>
    Completed,

    /// <summary>Stopped by an error (see <see cref="JobStatus{TProgress}.Error"/>).</summary>
    Failed,

    /// <summary>Cancelled on request.</summary>
    Cancelled,
}
