using Transport.Grains.Interfaces;
using Transport.Numerics.Sampling;
using Transport.Numerics.Sampling.Study;

namespace Transport.Grains.Tests;

/// <summary>
/// A whole sampling study as one cluster job (reference, one sampling job per step count, metrics) equals the same
/// study run in process (<see cref="LocalSampleRunner"/>), leaves no child job behind, and refuses a malformed spec
/// at creation, naming the field.
/// </summary>
[Collection(ClusterTestGroup.Name)]
public sealed class SampleStudyTests(ClusterFixture fixture)
{
    // Each particle's arithmetic is the same code in both places; only the order in which the data shards' softmax
    // partials are combined differs, which perturbs the last bits (the sampling contract is 1e-6 relative, and
    // these small runs stay far inside it).
    private const double Relative = 1e-9;

    [Fact]
    public async Task A_study_on_the_cluster_equals_the_study_in_process_and_releases_its_children()
    {
        const int dataCount = 300, d = SamplingTestData.Dimension;
        var (points, weights) = SamplingTestData.Clusters(dataCount, seed: 17);
        var total = weights.Sum();
        var target = new SampleTarget(SampleTarget.Data, d, [.. weights.Select(w => w / total)], [], [], points);
        var request = Request(target, count: 64) with { Shards = 3, ParticleShards = 2 };
        int[] steps = [3, 6];

        var local = await SampleStudy.RunAsync(request, steps, new LocalSampleRunner(), null, CancellationToken.None);
        var id = $"sample-test-{Guid.NewGuid():N}";
        var lines = new List<string>();
        var cluster = await SampleStudyJobClient.RunAsync(fixture.Grains, id, request, steps, "test", s => lines.Add(s.Progress.Phase), CancellationToken.None);

        Assert.Equal(local.ReferenceMethod, cluster.Result.ReferenceMethod);
        Assert.Equal(steps.Length, cluster.Result.Runs.Length);
        for (var k = 0; k < steps.Length; k++)
        {
            var (expected, actual) = (local.Runs[k], cluster.Result.Runs[k]);
            Assert.Equal(expected.Steps, actual.Steps);
            Assert.Equal(expected.Result.Evaluations, actual.Evaluations);
            Assert.Equal([.. expected.Metrics.Keys], actual.MetricNames);
            for (var m = 0; m < actual.MetricValues.Length; m++)
            {
                var (e, a) = (expected.Metrics.GetAt(m).Value, actual.MetricValues[m]);
                Assert.True(double.IsNaN(e) ? double.IsNaN(a) : Math.Abs(e - a) <= Relative * Math.Max(1.0, Math.Abs(e)), $"{actual.MetricNames[m]}: {a} vs {e}");
            }
        }

        var samples = local.Runs[^1].Result.Samples;
        Assert.Equal(samples.Length, cluster.Samples.Length);
        Assert.All(samples.Zip(cluster.Samples), p => Assert.True(Math.Abs(p.First - p.Second) <= Relative * Math.Max(1.0, Math.Abs(p.First))));

        // The downloaded request is the one sent: the data set and its normalised weights came back.
        Assert.Equal(points, cluster.Request.Target.Points);
        Assert.All(target.Weights.Zip(cluster.Request.Target.Weights), p => Assert.Equal(p.First, p.Second, 1e-15));

        var registry = fixture.Grains.GetGrain<IJobRegistryGrain>(IJobRegistryGrain.Key);
        var listed = await registry.ListAsync();
        Assert.Contains(listed, j => j.Id == id && j.Kind == "sample" && j.State == JobState.Completed);
        Assert.DoesNotContain(listed, j => j.Id.StartsWith(id + ".", StringComparison.Ordinal));
        await fixture.Grains.GetGrain<ISampleStudyCoordinatorGrain>(id).ReleaseAsync();
    }

    public static TheoryData<string, Func<SampleStudySpec, SampleStudySpec>> MalformedSpecs() => new()
    {
        { "sampler", s => s with { Sampler = "leapfrog" } },
        { "schedule", s => s with { Schedule = "cosine" } },
        { "steps", s => s with { Steps = [8, 4] } },
        { "steps", s => s with { Steps = [] } },
        { "n", s => s with { Count = 0 } },
        { "delta", s => s with { Delta = 0.7 } },
        { "eta", s => s with { Eta = 0.5 } },
        { "target", s => s with { Target = "cauchy" } },
        { "target.means", s => s with { Means = [0.0, 0.0, 0.0] } },
        { "dimension", s => s with { Dimension = 0 } },
        { "data", s => s with { Target = SampleTarget.Data, ComponentWeights = [], Means = [], Covariances = [], DataCount = 0 } },
        { "coupling", s => s with { Coupling = "ot", Sampler = "sde" } },
        { "source", s => s with { SourceMean = [0.0, 0.0] } },
    };

    [Theory]
    [MemberData(nameof(MalformedSpecs))]
    public async Task A_malformed_spec_is_refused_at_creation_naming_the_field(string field, Func<SampleStudySpec, SampleStudySpec> spoil)
    {
        var good = SampleStudySpec.From(Request(GaussianTarget(), count: 10), [4]);
        var coordinator = fixture.Grains.GetGrain<ISampleStudyCoordinatorGrain>($"sample-bad-{Guid.NewGuid():N}");
        var error = await Assert.ThrowsAsync<JobInputException>(() => coordinator.CreateAsync(spoil(good)));
        Assert.StartsWith(field, error.Field, StringComparison.Ordinal);
    }

    private static SampleTarget GaussianTarget() => new(SampleTarget.Gaussian, 2, [1.0], [[1.0, -1.0]], [[2.0, 0.3, 0.3, 0.5]], null);

    private static SampleRequest Request(SampleTarget target, int count) => new()
    {
        Target = target,
        Schedule = "linear",
        Sampler = "heun",
        Grid = "uniform",
        Delta = 1e-3,
        Eta = 0.0,
        Diffusion = 1.0,
        CorrectorSteps = 0,
        CorrectorSnr = 0.16,
        Snap = false,
        Seed = 5,
        Coupling = "independent",
        Shards = 1,
        ParticleShards = 1,
        Tolerance = 1e-6,
        CouplingPairs = 10,
        Count = count,
    };
}
