using Transport.Numerics.Randomness;
using Transport.Numerics.Sampling;

namespace Transport.Numerics.Tests.Sampling;

public sealed class SourceNoiseTests
{
    [Fact]
    public void Entry_i_c_is_the_counter_normal_at_step_minus_one_stage_zero()
    {
        var values = SourceNoise.Create(seed: 7, count: 5, dimension: 3);
        for (var i = 0; i < 5; i++)
        {
            for (var c = 0; c < 3; c++)
            {
                Assert.Equal(CounterRandom.Normal(7, i, -1, 0, c), values[(i * 3) + c]);
            }
        }
    }

    [Fact]
    public void Blocks_drawn_separately_equal_the_whole_draw()
    {
        var whole = SourceNoise.Create(seed: 3, count: 10, dimension: 2);
        var split = new double[20];
        SourceNoise.Fill(3, 0, 2, split.AsSpan(0, 8));
        SourceNoise.Fill(3, 4, 2, split.AsSpan(8, 6));
        SourceNoise.Fill(3, 7, 2, split.AsSpan(14));
        Assert.Equal(whole, split);
    }

    [Fact]
    public void Source_noise_is_not_the_noise_of_step_zero()
    {
        var source = SourceNoise.Create(seed: 1, count: 4, dimension: 2);
        var step = new double[8];
        CounterRandom.FillNormals(1, 0, 0, 0, 2, step);
        Assert.NotEqual(source, step);
    }

    [Theory]
    [InlineData(0, 0, 4, "dimension")]
    [InlineData(2, -1, 4, "first-id")]
    [InlineData(3, 0, 4, "particles")]
    public void Bad_arguments_name_the_field(int dimension, long firstId, int length, string field)
    {
        var error = Assert.Throws<InvalidInputException>(() => SourceNoise.Fill(1, firstId, dimension, new double[length]));
        Assert.Equal(field, error.Field);
    }
}
