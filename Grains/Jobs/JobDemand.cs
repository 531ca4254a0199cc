using System.Globalization;
using Transport.Grains.Interfaces;

namespace Transport.Grains;

/// <summary>
/// What a job would take from the cluster, known from its spec alone (before anything is allocated): its points, the
/// largest block a shard would hold, the dimension and an estimate of its memory (<see cref="JobFootprints"/>).
/// </summary>
/// <param name="Points">All the job's points (every cloud, samples and data together).</param>
/// <param name="PointsDetail">How <paramref name="Points"/> adds up, e.g. "n 40 + m 30".</param>
/// <param name="LargestShard">Points in the largest block any shard holds.</param>
/// <param name="Dimension">The dimension d.</param>
/// <param name="Bytes">Estimated memory of the whole job, in bytes.</param>
/// <param name="BytesDetail">What the estimate counts.</param>
public sealed record JobDemand(long Points, string PointsDetail, long LargestShard, int Dimension, long Bytes, string BytesDetail)
{
    /// <summary>
    /// Throws a <see cref="JobInputException"/> whose field is the first limit of <paramref name="limits"/> this demand
    /// exceeds (<c>Transport:KEY</c>), with the job's value and the configured one.
    /// </summary>
    public void CheckAgainst(JobLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        if (Dimension > limits.MaxDimension)
        {
            throw Refuse(nameof(JobLimits.MaxDimension), $"the job's points have dimension {Dimension}, above the configured limit of {limits.MaxDimension}");
        }

        if (Points > limits.MaxPointsPerJob)
        {
            throw Refuse(nameof(JobLimits.MaxPointsPerJob), $"the job has {Points} points ({PointsDetail}), above the configured limit of {limits.MaxPointsPerJob}");
        }

        if (LargestShard > limits.MaxPointsPerShard)
        {
            throw Refuse(nameof(JobLimits.MaxPointsPerShard), $"a shard of the job would hold {LargestShard} points, above the configured limit of {limits.MaxPointsPerShard}; use more shards");
        }

        if (Bytes > limits.MaxJobMemory)
        {
            throw Refuse(nameof(JobLimits.MaxJobMemory), $"the job needs about {Size(Bytes)} ({BytesDetail}), above the configured limit of {Size(limits.MaxJobMemory)} ({limits.MaxJobMemory} bytes)");
        }
    }

    /// <summary>A byte count for people: "5.2 GB", "730 MB".</summary>
    public static string Size(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.0} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.0} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KiB"),
    };

    private static JobInputException Refuse(string key, string message)
    {
        var field = JobLimits.Name(key);
        return new JobInputException(field, $"{field}: {message}");
    }
}
