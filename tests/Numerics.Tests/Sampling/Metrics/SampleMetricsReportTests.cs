using Transport.Numerics.Sampling.Metrics;

namespace Transport.Numerics.Tests.Sampling.Metrics;

/// <summary>The aggregated report carries exactly the values of the individual metrics, and only those that apply.</summary>
public sealed class SampleMetricsReportTests
{
    [Fact]
    public void Report_fields_equal_the_individual_metrics()
    {
        // Same deterministic computations on the same inputs: the values must agree exactly (tolerance 0).
        const int n = 60, d = 2;
        var samples = TestData.Points(n, d, seed: 71);
        var exact = TestData.Points(50, d, seed: 72, shift: 0.1);
        double[] mean = [0.0, 0.0];
        var covariance = new[,] { { 0.3, 0.0 }, { 0.0, 0.3 } };
        var reference = new SampleMetricsReference
        {
            ReferenceSamples = exact,
            GaussianMean = mean,
            GaussianCovariance = covariance,
            MixtureWeights = [0.5, 0.5],
            MixtureMeans = [[-0.5, 0.0], [0.5, 0.0]],
            MixtureCovariances = [covariance, covariance],
            Data = exact,
            NearDataThreshold = 0.1,
        };

        var report = SampleMetricsReport.Build(samples, d, reference);

        Assert.Equal(n, report.SampleCount);
        Assert.Equal(EnergyDistance.Compute(samples, exact, d), report.EnergyDistance);
        Assert.Equal(SinkhornDivergenceMetric.Compute(samples, exact, d).Value, report.SinkhornDivergence);
        var moments = MomentErrors.Compute(samples, d, mean, covariance);
        Assert.Equal(moments.MeanError, report.MeanError);
        Assert.Equal(moments.CovarianceError, report.CovarianceError);
        var mass = MixtureComponentMass.Compute(reference.MixtureWeights, reference.MixtureMeans, reference.MixtureCovariances, samples);
        Assert.Equal(mass.SoftMass, report.ComponentSoftMass);
        var nearest = NearestData.Compute(samples, exact, d, threshold: 0.1);
        Assert.Equal(nearest.MeanDistance, report.MeanNearestDataDistance);
        Assert.Equal(nearest.FractionWithinThreshold, report.FractionNearData);
    }

    [Fact]
    public void Metrics_without_a_reference_are_left_null()
    {
        var report = SampleMetricsReport.Build([0.0, 1.0, 2.0], 1, new SampleMetricsReference { Data = [0.5] });

        Assert.Null(report.EnergyDistance);
        Assert.Null(report.SinkhornDivergence);
        Assert.Null(report.MeanError);
        Assert.Null(report.ComponentSoftMass);
        Assert.Null(report.FractionNearData);
        // Distances 0.5, 0.5 and 1.5 to the single data point: mean 2.5 / 3 (1e-15 for rounding).
        Assert.Equal(2.5 / 3, report.MeanNearestDataDistance!.Value, 1e-15);
    }
}
