using Transport.Grains.Interfaces;

namespace Transport.Grains;

/// <summary>The coordinator of a listed job, by its kind.</summary>
public static class JobGrains
{
    /// <summary>Releases job <paramref name="job"/> through its coordinator (again after a silo's loss interrupts it).</summary>
    public static Task ReleaseAsync(IGrainFactory grains, JobRecord job)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(job);
        return ClusterRetry.RunAsync(() => job.Kind switch
        {
            "sinkhorn" => grains.GetGrain<ISinkhornCoordinatorGrain>(job.Id).ReleaseAsync(),
            "flow" => grains.GetGrain<IFlowCoordinatorGrain>(job.Id).ReleaseAsync(),
            "sampling" => grains.GetGrain<ISamplingCoordinatorGrain>(job.Id).ReleaseAsync(),
            "sample" => grains.GetGrain<ISampleStudyCoordinatorGrain>(job.Id).ReleaseAsync(),
            _ => throw new ArgumentException($"unknown job kind '{job.Kind}'", nameof(job)),
        });
    }

    /// <summary>
    /// The state job <paramref name="job"/>'s coordinator reports; null when it holds no job (it was reactivated without
    /// its state); the listed state when it does not answer within <paramref name="timeout"/>.
    /// </summary>
    public static async Task<JobState?> StateAsync(IGrainFactory grains, JobRecord job, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(job);
        try
        {
            var status = job.Kind switch
            {
                "sinkhorn" => (await grains.GetGrain<ISinkhornCoordinatorGrain>(job.Id).GetStatusAsync().WaitAsync(timeout)).State,
                "flow" => (await grains.GetGrain<IFlowCoordinatorGrain>(job.Id).GetStatusAsync().WaitAsync(timeout)).State,
                "sampling" => (await grains.GetGrain<ISamplingCoordinatorGrain>(job.Id).GetStatusAsync().WaitAsync(timeout)).State,
                _ => job.State,
            };
            return status;
        }
        catch (InvalidOperationException)
        {
            // "call CreateAsync first": a fresh activation that never received the job.
            return null;
        }
        catch (TimeoutException)
        {
            return job.State;
        }
    }
}
