using MathNet.Numerics.LinearAlgebra;

namespace Transport.Client.Sampling;

/// <summary>
/// The per-run metrics of <c>transport sample</c> (the <c>runs</c> entries of <c>metrics.json</c>). This is the seam
/// for the distribution metrics of <c>Transport.Numerics.Sampling.Metrics</c> (mean and covariance errors, MMD,
/// ...): add them to <see cref="Build"/>; the writer and the plots take whatever names it returns, in order.
/// </summary>
internal static class SampleMetricsBuilder
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
            var noise = request.Noise ?? SourceNoise.Draw(request.Seed, 0, request.Count, request.Dimension);
            var schedule = SampleTargets.Schedule(request.Schedule);
            var (a, b) = (schedule.A(request.EndTime), schedule.B(request.EndTime));
            var exact = GaussianFlowMap(request.Target, noise, a, b);
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

    /// <summary>The metrics of one run's <paramref name="samples"/> against the <paramref name="reference"/> end points.</summary>
    public static OrderedDictionary<string, double> Build(SampleRequest request, double[] samples, double[] reference)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(reference);
        return new OrderedDictionary<string, double>
        {
            [FlowMapError] = RmsDistance(samples, reference, request.Dimension),
        };
    }

    /// <summary>sqrt(mean_i |x_i - y_i|^2) over the rows of two row-major n x d arrays.</summary>
    public static double RmsDistance(double[] x, double[] y, int dimension)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Length != y.Length || x.Length == 0)
        {
            throw new ArgumentException($"lengths {x.Length} and {y.Length} differ or are zero", nameof(y));
        }

        var sum = 0.0;
        for (var i = 0; i < x.Length; i++)
        {
            var difference = x[i] - y[i];
            sum += difference * difference;
        }

        return Math.Sqrt(sum / (x.Length / dimension));
    }

    /// <summary>
    /// b m + C^{1/2} x0 with C = a^2 I + b^2 Sigma for every row x0 (the exact Gaussian flow at the time where the
    /// schedule is (a, b)); a = 0, b = 1 gives T_1(x0) = m + Sigma^{1/2} x0. The square root comes from the
    /// eigen-decomposition Sigma = V diag(lambda) V^T: C^{1/2} = V diag(sqrt(a^2 + b^2 lambda)) V^T.
    /// </summary>
    public static double[] GaussianFlowMap(SampleTarget target, double[] noise, double a, double b)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(noise);
        var d = target.Dimension;
        var sigma = Matrix<double>.Build.DenseOfArray(SampleTargets.Square(target.Covariances[0], d));
        var eigen = sigma.Evd(Symmetricity.Symmetric);
        var roots = eigen.EigenValues.Real().Map(lambda => Math.Sqrt((a * a) + (b * b * lambda)));
        var root = eigen.EigenVectors * Matrix<double>.Build.DenseOfDiagonalVector(roots) * eigen.EigenVectors.Transpose();
        var mean = target.Means[0];
        var result = new double[noise.Length];
        for (var i = 0; i < noise.Length / d; i++)
        {
            for (var r = 0; r < d; r++)
            {
                var value = b * mean[r];
                for (var c = 0; c < d; c++)
                {
                    value += root[r, c] * noise[(i * d) + c];
                }

                result[(i * d) + r] = value;
            }
        }

        return result;
    }
}
