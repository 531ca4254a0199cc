using Transport.Grains.Interfaces;

namespace Transport.Grains;

/// <summary>The coordinator of a listed job, by its kind.</summary>
public static class JobGrains
{
    /// <summary>Releases job <paramref name="job"/> through its coordinator.</summary>
    public static Task ReleaseAsync(IGrainFactory grains, JobRecord job)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(job);
        return job.Kind switch
        {
            "sinkhorn" => grains.GetGrain<ISinkhornCoordinatorGrain>(job.Id).ReleaseAsync(),
            "flow" => grains.GetGrain<IFlowCoordinatorGrain>(job.Id).ReleaseAsync(),
            "sampling" => grains.GetGrain<ISamplingCoordinatorGrain>(job.Id).ReleaseAsync(),
            "sample" => grains.GetGrain<ISampleStudyCoordinatorGrain>(job.Id).ReleaseAsync(),
            _ => throw new ArgumentException($"unknown job kind '{job.Kind}'", nameof(job)),
        };
    }
}
