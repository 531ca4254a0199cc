namespace Transport.Numerics.Kernels;

/// <summary>
/// How many workers a kernel's parallel loop uses. The options' "-1: all cores" means one worker per core here:
/// <see cref="Parallel.For(int, int, ParallelOptions, Action{int})"/> reads -1 as unbounded, and on a long loop the
/// thread pool keeps adding workers (it sees the loop's queued replicas wait and takes it for starvation): a solve of
/// 10^6 points per side ran 19 runnable threads on 2 cores, each evicting the others' keys from the caches.
/// </summary>
internal static class KernelParallelism
{
    /// <summary>Options for a loop of <paramref name="maxDegreeOfParallelism"/> workers (at most 0: one per core).</summary>
    public static ParallelOptions Options(int maxDegreeOfParallelism) =>
        new() { MaxDegreeOfParallelism = maxDegreeOfParallelism > 0 ? maxDegreeOfParallelism : Environment.ProcessorCount };
}
