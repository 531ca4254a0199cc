using Transport.Numerics.Flows.Models;
using static Transport.Numerics.Tests.Flows.AttentionTestSupport;

namespace Transport.Numerics.Tests.Flows;

/// <summary>
/// Cluster diagnostics vs configurations with a known answer, the two counting algorithms against each
/// other on the circle, and the streamed minimum inner product vs the O(n^2) loop (1e-14).
/// </summary>
public sealed class AttentionClusterTests
{
    private static double[] Circle(IEnumerable<double> angles) =>
        angles.SelectMany(t => new[] { Math.Cos(t), Math.Sin(t) }).ToArray();

    [Fact]
    public void CircleClustersAreSeparatedByGaps()
    {
        var random = new Random(5);
        var angles = new List<double>();
        foreach (var centre in new[] { 0.0, 2.0, 4.0 })
        {
            for (var i = 0; i < 30; i++)
            {
                angles.Add(centre + (0.002 * (random.NextDouble() - 0.5)));
            }
        }

        // A cluster straddling the cut at +-pi is one cluster.
        angles.Add(Math.PI - 0.001);
        angles.Add(-Math.PI + 0.001);
        var x = Circle(angles);
        Assert.Equal(4, TokenClusters.CountOnCircle(x, 0.01));
        Assert.Equal(4, TokenClusters.Count(x, 2, 0.01));
        Assert.Equal(4, TokenClusters.CountSingleLinkage(x, 2, 0.01));
        Assert.Equal(1, TokenClusters.CountOnCircle(x, 2.5));
        Assert.Equal(0, TokenClusters.CountOnCircle([], 0.01));
        Assert.Equal(1, TokenClusters.CountOnCircle([0.0, 1.0], 0.01));
    }

    [Theory]
    [InlineData(0.01)]
    [InlineData(0.05)]
    [InlineData(0.2)]
    public void SingleLinkageAgreesWithGapsOnTheCircle(double threshold)
    {
        var x = UniformSphere(150, 2, seed: 17);
        Assert.Equal(TokenClusters.CountOnCircle(x, threshold), TokenClusters.CountSingleLinkage(x, 2, threshold));
    }

    [Fact]
    public void SingleLinkageFindsSeparatedClustersAndChains()
    {
        const int d = 4;
        var centres = UniformSphere(5, d, seed: 23);
        Assert.True(MinPairwise(centres, d) < Math.Cos(0.3));
        var random = new Random(24);
        var x = new double[5 * 20 * d];
        for (var c = 0; c < 5; c++)
        {
            for (var i = 0; i < 20; i++)
            {
                for (var k = 0; k < d; k++)
                {
                    x[(((c * 20) + i) * d) + k] = centres[(c * d) + k] + (1e-3 * (random.NextDouble() - 0.5));
                }
            }
        }

        Normalise(x, d);
        Assert.Equal(5, TokenClusters.Count(x, d, 0.05));

        // A chain with angular spacing 0.05 along a great circle: linked at 0.06, all apart at 0.04.
        var chain = new double[40 * 3];
        for (var i = 0; i < 40; i++)
        {
            chain[3 * i] = Math.Cos(0.05 * i);
            chain[(3 * i) + 2] = Math.Sin(0.05 * i);
        }

        Assert.Equal(1, TokenClusters.Count(chain, 3, 0.06));
        Assert.Equal(40, TokenClusters.Count(chain, 3, 0.04));
    }

    [Theory]
    [InlineData(3, 1.0)]
    [InlineData(12, 1.0)]
    [InlineData(3, 1e-7)]
    public void MinimumInnerProductMatchesTheQuadraticLoop(int d, double spread)
    {
        // spread 1e-7: tokens within ~1e-7 of one direction (near consensus), where 1 - min is ~1e-14.
        const int n = 70;
        var x = UniformSphere(n, d, seed: 31);
        if (spread < 1)
        {
            for (var i = 0; i < n; i++)
            {
                for (var k = 0; k < d; k++)
                {
                    x[(i * d) + k] = (k == 0 ? 1.0 : 0.0) + (spread * x[(i * d) + k]);
                }
            }

            Normalise(x, d);
        }

        var expected = MinPairwise(x, d);
        var actual = TokenClusters.MinPairwiseInnerProduct(x, d);
        Assert.True(Math.Abs(expected - actual) <= 1e-14, $"min inner product {actual:R} vs {expected:R}");
        Assert.Equal(1.0, TokenClusters.MinPairwiseInnerProduct([], d));
    }

    [Fact]
    public void BadThresholdsAndSizesAreErrors()
    {
        Assert.Equal("cluster-angle", Assert.Throws<InvalidInputException>(() => TokenClusters.Count([1.0, 0.0], 2, -1)).Field);
        Assert.Throws<ArgumentException>(() => TokenClusters.CountSingleLinkage(new double[3 * (TokenClusters.MaxSingleLinkageTokens + 1)], 3, 0.1));
        Assert.Throws<ArgumentException>(() => TokenClusters.CountOnCircle([1.0, 0.0, 1.0], 0.1));
    }
}
