using System.Globalization;
using Transport.Grains.Interfaces;
using Transport.Numerics;
using Transport.Numerics.Transport;

namespace Transport.Grains;

/// <summary>The checks of a Sinkhorn job's spec, made before anything is allocated.</summary>
internal static class SinkhornJobChecks
{
    /// <summary>The solve options of a valid spec; throws <see cref="JobInputException"/> naming the field otherwise.</summary>
    public static SinkhornOptions Validate(SinkhornJobSpec spec)
    {
        try
        {
            if (spec.SourceCount <= 0)
            {
                throw new InvalidInputException("source", $"the cloud is empty (n = {spec.SourceCount})");
            }

            if (spec.TargetCount <= 0)
            {
                throw new InvalidInputException("target", $"the cloud is empty (m = {spec.TargetCount})");
            }

            if (spec.Dimension <= 0)
            {
                throw new InvalidInputException("dim", $"must be positive, got {spec.Dimension}");
            }

            UploadChecks.CheckShards(spec.Shards);
            CheckMultiscale(spec);
            UploadChecks.CheckSize("source", spec.SourceCount, spec.Dimension);
            UploadChecks.CheckSize("target", spec.TargetCount, spec.Dimension);

            var options = spec.ToOptions();
            options.Validate();
            return options;
        }
        catch (InvalidInputException ex)
        {
            throw new JobInputException(ex.Field, ex.Message);
        }
    }

    /// <summary>The multiscale settings: in range, and only set on a multiscale job (as on the command line).</summary>
    private static void CheckMultiscale(SinkhornJobSpec spec)
    {
        if (spec.Levels < 0 || spec.Levels > SinkhornJobSpec.MaxLevels)
        {
            throw new InvalidInputException("levels", $"must be an integer in 1..{SinkhornJobSpec.MaxLevels} (or 0 for automatic), got {spec.Levels.ToString(CultureInfo.InvariantCulture)}");
        }

        if (!double.IsFinite(spec.Truncation) || spec.Truncation <= 0)
        {
            throw new InvalidInputException("truncate", $"must be a finite number > 0, got {spec.Truncation.ToString("R", CultureInfo.InvariantCulture)}");
        }

        if (spec.MemoryBudget is { } budget && budget <= 0)
        {
            throw new InvalidInputException("memory-budget", $"must be a number of bytes > 0, got {budget.ToString(CultureInfo.InvariantCulture)}");
        }

        if (!spec.Multiscale && spec.MemoryBudget is { } dense)
        {
            throw new InvalidInputException("memory-budget", $"applies only to a multiscale job (set multiscale), got {dense.ToString(CultureInfo.InvariantCulture)}");
        }

        if (spec.LeafClusterSize is { } leaf && (leaf < 1 || !spec.Multiscale))
        {
            throw new InvalidInputException("leaf", leaf < 1
                ? $"must be a number of points >= 1, got {leaf.ToString(CultureInfo.InvariantCulture)}"
                : $"applies only to a multiscale job (set multiscale), got {leaf.ToString(CultureInfo.InvariantCulture)}");
        }

        if (!spec.Multiscale && spec.Levels != 0)
        {
            throw new InvalidInputException("levels", $"applies only to a multiscale job (set multiscale), got {spec.Levels.ToString(CultureInfo.InvariantCulture)}");
        }

        if (!spec.Multiscale && spec.Truncation != SinkhornJobSpec.DefaultTruncation)
        {
            throw new InvalidInputException("truncate", $"applies only to a multiscale job (set multiscale), got {spec.Truncation.ToString("R", CultureInfo.InvariantCulture)}");
        }
    }
}
