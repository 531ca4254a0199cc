namespace Transport.Grains.Interfaces;

/// <summary>A job as the registry lists it (see <see cref="IJobRegistryGrain"/>).</summary>
/// <param name="Id">The job id (its coordinator's key).</param>
/// <param name="Kind">"sinkhorn", "flow" or "sampling".</param>
/// <param name="Label">The label its owner gave it (null: none).</param>
/// <param name="Summary">One line describing its spec (sizes, the main settings).</param>
/// <param name="State">Lifecycle state when last recorded.</param>
/// <param name="Created">When the job was created.</param>
/// <param name="Updated">When its state last changed.</param>
/// <param name="Error">Why it failed or was cancelled; null otherwise.</param>
[GenerateSerializer]
[Immutable]
[Alias("Transport.JobRecord")]
public sealed record JobRecord(
    [property: Id(0)] string Id,
    [property: Id(1)] string Kind,
    [property: Id(2)] string? Label,
    [property: Id(3)] string Summary,
    [property: Id(4)] JobState State,
    [property: Id(5)] DateTimeOffset Created,
    [property: Id(6)] DateTimeOffset Updated,
    [property: Id(7)] string? Error = null);
