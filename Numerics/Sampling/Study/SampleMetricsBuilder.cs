using Transport.Numerics.Sampling.Metrics;

namespace Transport.Numerics.Sampling.Study;

/// <summary>
/// The per-run metrics of <c>transport sample</c> (the <c>runs</c> entries of <c>metrics.json</c>). This is the seam
/// for the distribution metrics of <c>Transport.Numerics.Sampling.Metrics</c> (mean and covariance errors, MMD,
/// ...): add them to <see cref="Build"/>; the writer and the plots take whatever names it returns, in order.
/// </summary>
public static class SampleMetricsBuilder
{
    /// <summary>The name of the flow-map error metric (also the y axis of <c>nfe.png</c>).</summary>
    public const string FlowMapError = "flow_map_error";

    /// <summary>Tolerance of the adaptive reference run used when no closed form exists.</summary>
    public const double ReferenceTolerance = 1e-8;

    /// <summary>
    /// The reference end points of the flow map on the request's source points. For a Gaussian target with the
    /// standard source it is the closed form at the end time t = 1 - delta, X_t = b m + C_t^{1/2} x0 with
    /// C_t = a^2 I + b^2 Sigma (math.md 2.3a; it tends to T_1(x0) = m + Sigma^{1/2} x0 as delta -&gt; 0, and comparing at
    /// the same end time measures the integrator alone), snapped with the exact denoiser when the request snaps.
    /// Otherwise it is an adaptive run at tolerance <see cref="ReferenceTolerance"/> on the same noise through
    /// <paramref name="runner"/>. Returns the points and how they were obtained.
    /// </summary>
    public static async Task<(double[] Points, string Method)> ReferenceAsync(SampleRequest request, ISampleRunner runner, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(runner);
        if (request.Target.Kind == SampleTarget.Gaussian && request.SourceMean is null)
        {
            var noise = request.Noise ?? SourceNoise.Create(request.Seed, request.Count, request.Dimension);
            var schedule = SampleTargets.Schedule(request.Schedule);
            var (a, b) = (schedule.A(request.EndTime), schedule.B(request.EndTime));
            var exact = request.Target.GaussianFlowMap(noise, a, b);
            if (request.Snap)
            {
                var snapped = new double[exact.Length];
                SampleTargets.Build(request.Target).Denoise(a, b, exact, snapped);
                return (snapped, "closed form b m + (a^2 I + b^2 Sigma)^1/2 x0 at t = 1 - delta, snapped");
            }

            return (exact, "closed form b m + (a^2 I + b^2 Sigma)^1/2 x0 at t = 1 - delta");
        }

        var adaptive = request with { Sampler = "adaptive", Tolerance = ReferenceTolerance, Eta = 0.0, CorrectorSteps = 0 };
        var run = await runner.RunAsync(adaptive, 0, ct);
        return (run.Samples, $"adaptive run at tolerance {ReferenceTolerance:G2}");
    }

    /// <summary>
    /// At most this many samples (the first rows) and exact target draws enter the pairwise metrics (energy distance
    /// and Sinkhorn divergence), which cost O(n m); the moment, mixture-mass and nearest-data metrics use every sample.
    /// </summary>
    public const int PairwiseLimit = 2000;

    /// <summary>
    /// The metrics of one run's <paramref name="samples"/>: the flow-map error against the <paramref name="reference"/>
    /// end points, then the distribution metrics of <see cref="SampleMetricsReport"/> against the target: energy
    /// distance and Sinkhorn divergence to exact target samples (Gaussian and mixture: counter-based draws, stream 1;
    /// data sets: the data themselves with their weights when there are at most <see cref="PairwiseLimit"/>, else
    /// draws), mean and covariance errors (Gaussian), per-component mass (mixture), nearest-data distances and count
    /// deviations (data sets, memorisation).
    /// </summary>
    public static OrderedDictionary<string, double> Build(SampleRequest request, double[] samples, double[] reference)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(reference);
        var d = request.Dimension;
        var metrics = new OrderedDictionary<string, double>
        {
            [FlowMapError] = SampleDistances.RmsDistance(samples, reference, d),
        };

        var target = request.Target;
        var pairwiseCount = Math.Min(samples.Length / d, PairwiseLimit);
        var head = samples.AsSpan(0, pairwiseCount * d).ToArray();
        var means = target.Means.Select(m => (IReadOnlyList<double>)m).ToArray();
        var covariances = Enumerable.Range(0, target.Covariances.Length).Select(target.Covariance).ToArray();
        var exactSamples = target.Kind switch
        {
            SampleTarget.Gaussian => TargetSamples.Gaussian(target.Means[0], covariances[0], pairwiseCount, request.Seed, stream: 1),
            SampleTarget.Mixture => TargetSamples.Mixture(target.Weights, means, covariances, pairwiseCount, request.Seed, stream: 1),
            _ => target.Count <= PairwiseLimit ? target.Points! : TargetSamples.Empirical(target.Points!, d, target.Weights, pairwiseCount, request.Seed, stream: 1),
        };
        var exactWeights = target.Kind == SampleTarget.Data && target.Count <= PairwiseLimit ? target.Weights : null;
        var report = SampleMetricsReport.Build(head, d, new SampleMetricsReference { ReferenceSamples = exactSamples, ReferenceWeights = exactWeights });
        metrics["metric_samples"] = pairwiseCount;
        metrics["energy_distance"] = report.EnergyDistance ?? double.NaN;
        metrics["sinkhorn_divergence"] = report.SinkhornDivergence ?? double.NaN;
        metrics["sinkhorn_blur"] = report.SinkhornBlur ?? double.NaN;

        var full = SampleMetricsReport.Build(samples, d, new SampleMetricsReference
        {
            IncludeSinkhornDivergence = false,
            // A covariance needs two samples: with one, the moment errors are left out.
            GaussianMean = target.Kind == SampleTarget.Gaussian && samples.Length >= 2 * d ? target.Means[0] : null,
            GaussianCovariance = target.Kind == SampleTarget.Gaussian && samples.Length >= 2 * d ? covariances[0] : null,
            MixtureWeights = target.Kind == SampleTarget.Mixture ? target.Weights : null,
            MixtureMeans = target.Kind == SampleTarget.Mixture ? means : null,
            MixtureCovariances = target.Kind == SampleTarget.Mixture ? covariances : null,
            Data = target.Kind == SampleTarget.Data ? target.Points : null,
            DataWeights = target.Kind == SampleTarget.Data ? target.Weights : null,
            NearDataThreshold = target.Kind == SampleTarget.Data ? 1e-3 : null,
        });
        if (full.MeanError is { } meanError)
        {
            metrics["mean_error"] = meanError;
            metrics["mean_error_standard_errors"] = full.MeanErrorInStandardErrors ?? double.NaN;
            metrics["covariance_error"] = full.CovarianceError ?? double.NaN;
            metrics["covariance_relative_error"] = full.RelativeCovarianceError ?? double.NaN;
        }

        if (full.ComponentHardMass is { } hard && full.ComponentSoftMass is { } soft)
        {
            for (var k = 0; k < hard.Count; k++)
            {
                metrics[$"component_mass_{k}"] = hard[k];
                metrics[$"component_soft_mass_{k}"] = soft[k];
            }

            metrics["component_mass_max_error"] = full.MaxComponentMassError ?? double.NaN;
        }

        if (full.MeanNearestDataDistance is { } nearest)
        {
            metrics["nearest_data_mean_distance"] = nearest;
            metrics["nearest_data_max_distance"] = full.MaxNearestDataDistance ?? double.NaN;
            metrics["nearest_data_fraction_within_1e-3"] = full.FractionNearData ?? double.NaN;
            metrics["nearest_data_max_count_deviation"] = full.MaxDataCountDeviation ?? double.NaN;
        }

        return metrics;
    }

    /// <summary>
    /// Path straightness of a run (issue 4, couplings): the kinetic energy E integral |v|^2 dt along the paths, the
    /// displacement E|x(end) - x(0)|^2 and their ratio, which is at least 1 (Cauchy-Schwarz) and 1 only for straight
    /// paths travelled at constant speed. Both are measured in the coordinates the run integrates (whitened when the
    /// source is not standard).
    /// </summary>
    public static void AddStraightness(OrderedDictionary<string, double> metrics, SampleRunResult result)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(result);
        metrics["kinetic_energy"] = result.KineticEnergy;
        metrics["displacement"] = result.Displacement;
        metrics["straightness"] = result.Displacement > 0.0 ? result.KineticEnergy / result.Displacement : double.NaN;
    }
}
