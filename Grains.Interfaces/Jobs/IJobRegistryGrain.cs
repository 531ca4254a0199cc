namespace Transport.Grains.Interfaces;

/// <summary>
/// The cluster's list of jobs (one grain, key 0): every job is recorded when it is created and at every state change,
/// and listed until it is released or, once ended, expires after the retention period (silo setting
/// <c>Transport:JobRetention</c>, default 24 hours); expiry releases the job's shards like <c>runs release</c>.
/// </summary>
[Alias("Transport.IJobRegistryGrain")]
public interface IJobRegistryGrain : IGrainWithIntegerKey
{
    /// <summary>The registry's key.</summary>
    public const long Key = 0;

    /// <summary>
    /// Admits job <paramref name="id"/> of <paramref name="kind"/> among the cluster's concurrent jobs (created or running,
    /// this id excluded) and lists it as created; throws <see cref="JobInputException"/> for the field <c>id</c> when the id
    /// is listed as a job of another kind, and for <c>Transport:MaxConcurrentJobs</c> when <paramref name="maxConcurrent"/>
    /// of them already hold their place. Before
    /// refusing, the jobs counted are asked for their state, so that a job whose coordinator was lost (its silo died) does
    /// not hold its place forever.
    /// </summary>
    [Alias("Admit")]
    Task AdmitAsync(string id, string kind, int maxConcurrent);

    /// <summary>Records a job or its new state (the creation time of a known job is kept).</summary>
    [Alias("Record")]
    Task RecordAsync(JobRecord record);

    /// <summary>Every listed job, oldest first.</summary>
    [Alias("List")]
    Task<IReadOnlyList<JobRecord>> ListAsync();

    /// <summary>The job <paramref name="id"/>, or null when it is not listed.</summary>
    [Alias("Get")]
    Task<JobRecord?> GetAsync(string id);

    /// <summary>
    /// Removes job <paramref name="id"/> from the list (its coordinator has released it) when it is listed as of
    /// <paramref name="kind"/>: a coordinator of another kind under the same id holds nothing of that job, and its release
    /// must not unlist it.
    /// </summary>
    [Alias("ForgetOfKind")]
    Task ForgetAsync(string id, string kind);
}
