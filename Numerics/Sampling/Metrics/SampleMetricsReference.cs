namespace Transport.Numerics.Sampling.Metrics;

/// <summary>
/// What a sample set is compared with; every part is optional and <see cref="SampleMetricsReport.Build"/> computes
/// only the metrics whose reference is present. Arrays are row-major with the samples' dimension.
/// </summary>
public sealed record SampleMetricsReference
{
    /// <summary>Reference samples (for example exact draws) for the energy distance and the Sinkhorn divergence.</summary>
    public double[]? ReferenceSamples { get; init; }

    /// <summary>Optional non-negative weights of <see cref="ReferenceSamples"/>.</summary>
    public double[]? ReferenceWeights { get; init; }

    /// <summary>Whether to compute the Sinkhorn divergence (the costliest metric) when reference samples are given.</summary>
    public bool IncludeSinkhornDivergence { get; init; } = true;

    /// <summary>The mean m of a Gaussian target (with <see cref="GaussianCovariance"/>) for the moment errors.</summary>
    public IReadOnlyList<double>? GaussianMean { get; init; }

    /// <summary>The covariance Sigma of a Gaussian target.</summary>
    public double[,]? GaussianCovariance { get; init; }

    /// <summary>Mixture weights (with <see cref="MixtureMeans"/> and <see cref="MixtureCovariances"/>) for the component masses.</summary>
    public IReadOnlyList<double>? MixtureWeights { get; init; }

    /// <summary>Mixture component means.</summary>
    public IReadOnlyList<IReadOnlyList<double>>? MixtureMeans { get; init; }

    /// <summary>Mixture component covariances.</summary>
    public IReadOnlyList<double[,]>? MixtureCovariances { get; init; }

    /// <summary>Training data for the nearest-data (memorisation) metrics.</summary>
    public double[]? Data { get; init; }

    /// <summary>Optional non-negative weights of <see cref="Data"/>.</summary>
    public double[]? DataWeights { get; init; }

    /// <summary>Distance under which a sample counts as a copy of a data point.</summary>
    public double? NearDataThreshold { get; init; }
}
