using Transport.Grains.Interfaces;

namespace Transport.Grains;

/// <summary>
/// The polling loop every job client shares: read the status, report it, stop when the job has ended; when the
/// caller cancels, ask the coordinator once to cancel and keep polling until it has actually stopped (so the caller
/// learns the final state instead of abandoning a running job).
/// </summary>
internal static class JobPolling
{
    /// <summary>Polls <paramref name="getStatus"/> every <paramref name="interval"/> until <paramref name="stateOf"/> is terminal.</summary>
    public static async Task<TStatus> WaitAsync<TStatus>(
        Func<Task<TStatus>> getStatus,
        Func<TStatus, JobState> stateOf,
        Func<Task> cancel,
        Action<TStatus>? progress,
        TimeSpan interval,
        CancellationToken cancellationToken)
    {
        var cancelRequested = false;
        while (true)
        {
            var status = await getStatus();
            progress?.Invoke(status);
            if (stateOf(status) is JobState.Completed or JobState.Failed or JobState.Cancelled)
            {
                return status;
            }

            if (cancellationToken.IsCancellationRequested && !cancelRequested)
            {
                cancelRequested = true;
                await cancel();
            }

            await Task.Delay(interval, CancellationToken.None);
        }
    }
}
