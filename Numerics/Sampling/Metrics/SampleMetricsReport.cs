namespace Transport.Numerics.Sampling.Metrics;

/// <summary>
/// The sample-quality metrics that apply to one sample set, flat and nullable (null: not computed because its
/// reference was not given), with descriptive names that map one to one onto snake_case metrics.json fields.
/// </summary>
public sealed record SampleMetricsReport
{
    /// <summary>Number of samples.</summary>
    public required int SampleCount { get; init; }

    /// <summary>Dimension of the samples.</summary>
    public required int Dimension { get; init; }

    /// <summary><see cref="Metrics.EnergyDistance"/> to the reference samples.</summary>
    public double? EnergyDistance { get; init; }

    /// <summary><see cref="SinkhornDivergenceMetric.Value"/> to the reference samples.</summary>
    public double? SinkhornDivergence { get; init; }

    /// <summary>The blur used for <see cref="SinkhornDivergence"/>.</summary>
    public double? SinkhornBlur { get; init; }

    /// <summary>Whether the Sinkhorn problems converged.</summary>
    public bool? SinkhornConverged { get; init; }

    /// <summary><see cref="MomentErrors.MeanError"/>.</summary>
    public double? MeanError { get; init; }

    /// <summary><see cref="MomentErrors.MaxMeanErrorInStandardErrors"/>.</summary>
    public double? MeanErrorInStandardErrors { get; init; }

    /// <summary><see cref="MomentErrors.CovarianceError"/>.</summary>
    public double? CovarianceError { get; init; }

    /// <summary><see cref="MomentErrors.RelativeCovarianceError"/>.</summary>
    public double? RelativeCovarianceError { get; init; }

    /// <summary><see cref="MixtureComponentMass.SoftMass"/>.</summary>
    public IReadOnlyList<double>? ComponentSoftMass { get; init; }

    /// <summary><see cref="MixtureComponentMass.HardMass"/>.</summary>
    public IReadOnlyList<double>? ComponentHardMass { get; init; }

    /// <summary><see cref="MixtureComponentMass.MaxSoftMassError"/>.</summary>
    public double? MaxComponentMassError { get; init; }

    /// <summary><see cref="NearestData.MeanDistance"/>.</summary>
    public double? MeanNearestDataDistance { get; init; }

    /// <summary><see cref="NearestData.MaxDistance"/>.</summary>
    public double? MaxNearestDataDistance { get; init; }

    /// <summary><see cref="NearestData.FractionWithinThreshold"/>.</summary>
    public double? FractionNearData { get; init; }

    /// <summary><see cref="NearestData.MaxCountDeviation"/> (binomial standard errors).</summary>
    public double? MaxDataCountDeviation { get; init; }

    /// <summary>Computes every metric whose reference is present in <paramref name="reference"/>.</summary>
    public static SampleMetricsReport Build(double[] samples, int dimension, SampleMetricsReference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var cloud = SampleCloud.Create("samples", samples, dimension, null, "weights");
        var report = new SampleMetricsReport { SampleCount = cloud.Count, Dimension = dimension };
        if (reference.ReferenceSamples is { } exact)
        {
            report = report with { EnergyDistance = Metrics.EnergyDistance.Compute(samples, exact, dimension, null, reference.ReferenceWeights) };
            if (reference.IncludeSinkhornDivergence)
            {
                var sinkhorn = SinkhornDivergenceMetric.Compute(samples, exact, dimension, null, reference.ReferenceWeights);
                report = report with { SinkhornDivergence = sinkhorn.Value, SinkhornBlur = sinkhorn.Blur, SinkhornConverged = sinkhorn.Converged };
            }
        }

        if (reference.GaussianMean is { } mean && reference.GaussianCovariance is { } covariance)
        {
            var moments = MomentErrors.Compute(samples, dimension, mean, covariance);
            report = report with
            {
                MeanError = moments.MeanError,
                MeanErrorInStandardErrors = moments.MaxMeanErrorInStandardErrors,
                CovarianceError = moments.CovarianceError,
                RelativeCovarianceError = moments.RelativeCovarianceError,
            };
        }

        if (reference.MixtureWeights is { } weights && reference.MixtureMeans is { } means && reference.MixtureCovariances is { } covariances)
        {
            var mass = MixtureComponentMass.Compute(weights, means, covariances, samples);
            report = report with { ComponentSoftMass = mass.SoftMass, ComponentHardMass = mass.HardMass, MaxComponentMassError = mass.MaxSoftMassError };
        }

        if (reference.Data is { } data)
        {
            var nearest = NearestData.Compute(samples, data, dimension, reference.DataWeights, reference.NearDataThreshold);
            report = report with
            {
                MeanNearestDataDistance = nearest.MeanDistance,
                MaxNearestDataDistance = nearest.MaxDistance,
                FractionNearData = nearest.FractionWithinThreshold,
                MaxDataCountDeviation = nearest.MaxCountDeviation,
            };
        }

        return report;
    }
}
