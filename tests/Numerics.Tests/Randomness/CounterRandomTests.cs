using Transport.Numerics.Randomness;

namespace Transport.Numerics.Tests.Randomness;

public sealed class CounterRandomTests
{
    private const int Samples = 200_000;

    [Fact]
    public void Values_are_pure_functions_of_the_key()
    {
        for (var id = 0L; id < 50; id++)
        {
            Assert.Equal(CounterRandom.Normal(7, id, 3, 1, 2), CounterRandom.Normal(7, id, 3, 1, 2));
            Assert.Equal(CounterRandom.Uniform(7, id, 3, 1, 2), CounterRandom.Uniform(7, id, 3, 1, 2));
        }

        // Interleaving other calls changes nothing: there is no hidden state.
        var first = CounterRandom.Normal(1, 10, 20, 0, 0);
        _ = CounterRandom.Normal(1, 11, 20, 0, 0);
        _ = CounterRandom.Uniform(5, 10, 20, 0, 0);
        Assert.Equal(first, CounterRandom.Normal(1, 10, 20, 0, 0));
    }

    [Fact]
    public void Every_key_word_changes_the_value()
    {
        var reference = CounterRandom.Hash(1, 2, 3, 4, 5);
        Assert.NotEqual(reference, CounterRandom.Hash(2, 2, 3, 4, 5));
        Assert.NotEqual(reference, CounterRandom.Hash(1, 3, 3, 4, 5));
        Assert.NotEqual(reference, CounterRandom.Hash(1, 2, 4, 4, 5));
        Assert.NotEqual(reference, CounterRandom.Hash(1, 2, 3, 5, 5));
        Assert.NotEqual(reference, CounterRandom.Hash(1, 2, 3, 4, 6));
    }

    [Fact]
    public void Filling_in_blocks_equals_filling_at_once()
    {
        const int count = 101;
        const int dimension = 3;
        var whole = new double[count * dimension];
        CounterRandom.FillNormals(42, 0, 9, 2, dimension, whole);
        foreach (var blocks in new[] { 3, 8 })
        {
            var pieces = new double[count * dimension];
            for (var b = 0; b < blocks; b++)
            {
                var start = b * count / blocks;
                var end = (b + 1) * count / blocks;
                CounterRandom.FillNormals(42, start, 9, 2, dimension, pieces.AsSpan(start * dimension, (end - start) * dimension));
            }

            Assert.Equal(whole, pieces);
        }

        Assert.Equal(CounterRandom.Normal(42, 57, 9, 2, 1), whole[(57 * dimension) + 1]);
    }

    [Fact]
    public void Normals_have_mean_zero_variance_one_and_kurtosis_three()
    {
        // Tolerances are 5 standard errors: mean 5/sqrt(n), variance 5 sqrt(2/n), fourth moment 5 sqrt(96/n).
        var values = Enumerable.Range(0, Samples).Select(i => CounterRandom.Normal(3, i, 0, 0, 0)).ToArray();
        var mean = values.Average();
        var variance = values.Select(v => (v - mean) * (v - mean)).Average();
        var fourth = values.Select(v => Math.Pow(v, 4)).Average();
        Assert.InRange(mean, -5 / Math.Sqrt(Samples), 5 / Math.Sqrt(Samples));
        Assert.InRange(variance, 1 - (5 * Math.Sqrt(2.0 / Samples)), 1 + (5 * Math.Sqrt(2.0 / Samples)));
        Assert.InRange(fourth, 3 - (5 * Math.Sqrt(96.0 / Samples)), 3 + (5 * Math.Sqrt(96.0 / Samples)));
    }

    [Fact]
    public void Uniforms_are_in_the_open_unit_interval_with_even_deciles()
    {
        var counts = new int[10];
        for (var i = 0; i < Samples; i++)
        {
            var u = CounterRandom.Uniform(11, i, 5, 0, 0);
            Assert.True(u > 0 && u < 1);
            counts[(int)(u * 10)]++;
        }

        // Chi-square with 9 degrees of freedom: 99.99th percentile is about 33.7.
        var expected = Samples / 10.0;
        var chi2 = counts.Sum(c => (c - expected) * (c - expected) / expected);
        Assert.True(chi2 < 33.7, $"chi2 = {chi2}");
    }

    [Theory]
    [InlineData("id")]
    [InlineData("step")]
    [InlineData("stage")]
    [InlineData("component")]
    [InlineData("seed")]
    public void Neighbouring_keys_are_uncorrelated(string word)
    {
        // |r| of independent samples has standard error 1/sqrt(n); allow 5 of them.
        const int n = 100_000;
        var a = new double[n];
        var b = new double[n];
        for (var i = 0; i < n; i++)
        {
            (a[i], b[i]) = word switch
            {
                "id" => (CounterRandom.Normal(1, i, 7, 0, 0), CounterRandom.Normal(1, i + 1, 7, 0, 0)),
                "step" => (CounterRandom.Normal(1, 5, i, 0, 0), CounterRandom.Normal(1, 5, i + 1, 0, 0)),
                "stage" => (CounterRandom.Normal(1, i, 7, 0, 0), CounterRandom.Normal(1, i, 7, 1, 0)),
                "component" => (CounterRandom.Normal(1, i, 7, 0, 0), CounterRandom.Normal(1, i, 7, 0, 1)),
                _ => (CounterRandom.Normal(i, 3, 7, 0, 0), CounterRandom.Normal(i + 1, 3, 7, 0, 0)),
            };
        }

        Assert.InRange(Correlation(a, b), -5 / Math.Sqrt(n), 5 / Math.Sqrt(n));
    }

    private static double Correlation(double[] a, double[] b)
    {
        var ma = a.Average();
        var mb = b.Average();
        var cov = 0.0;
        var va = 0.0;
        var vb = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            cov += (a[i] - ma) * (b[i] - mb);
            va += (a[i] - ma) * (a[i] - ma);
            vb += (b[i] - mb) * (b[i] - mb);
        }

        return cov / Math.Sqrt(va * vb);
    }
}
