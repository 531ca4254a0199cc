namespace Transport.Grains.Interfaces;

/// <summary>
/// The status of a job of any kind: its state, the progress of its kind (<typeparamref name="TProgress"/>, e.g.
/// <see cref="SinkhornJobProgress"/>), and for a failed job the reason and, when the job's input was at fault, the
/// input field (the client then reports bad input, exit code 2).
/// </summary>
/// <typeparam name="TProgress">The job kind's progress record.</typeparam>
/// <param name="State">Lifecycle state.</param>
/// <param name="Progress">The latest progress (the initial one before the run starts).</param>
/// <param name="Error">Why the job failed or was cancelled; null otherwise.</param>
/// <param name="ErrorField">The input field a failure is about; null for other failures.</param>
[GenerateSerializer]
[Immutable]
[Alias("Transport.JobStatus`1")]
public sealed record JobStatus<TProgress>(
    [property: Id(0)] JobState State,
    [property: Id(1)] TProgress Progress,
    [property: Id(2)] string? Error = null,
    [property: Id(3)] string? ErrorField = null)
{
    /// <summary>Whether the job has ended (completed, failed or cancelled).</summary>
    public bool IsTerminal => State is JobState.Completed or JobState.Failed or JobState.Cancelled;
}
