namespace Transport.Grains;

/// <summary>
/// Client-side calls that a silo's loss may interrupt (a submission, a download, a release): each attempt is bounded
/// (a call to a silo that died may otherwise wait the whole response timeout), and an attempt failed by the loss of a
/// silo (<see cref="SiloLoss"/>) is made again once the membership has had time to settle. The operation must be safe to
/// repeat from its start: a submission creates its job again (which frees what the first attempt left), a download reads
/// again, a release releases again.
/// </summary>
public static class ClusterRetry
{
    /// <summary>Attempts before the last failure is passed on.</summary>
    public const int Attempts = 4;

    /// <summary>How long one attempt may take before it counts as interrupted by a silo's loss.</summary>
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromMinutes(3);

    /// <summary>The pause before the next attempt (a silo is declared dead within seconds).</summary>
    public static readonly TimeSpan Pause = TimeSpan.FromSeconds(3);

    /// <summary>Runs <paramref name="operation"/>, again after a silo's loss (see the class summary).</summary>
    public static async Task<T> RunAsync<T>(Func<Task<T>> operation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operation);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await operation().WaitAsync(AttemptTimeout, cancellationToken);
            }
            catch (Exception ex) when (attempt < Attempts && !cancellationToken.IsCancellationRequested && SiloLoss.Explains(ex))
            {
                await Task.Delay(Pause, cancellationToken);
            }
        }
    }

    /// <summary>Runs <paramref name="operation"/>, again after a silo's loss (see the class summary).</summary>
    public static Task RunAsync(Func<Task> operation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operation);
        return RunAsync(
            async () =>
            {
                await operation();
                return true;
            },
            cancellationToken);
    }
}
