using Transport.Numerics.Flows.Models;
using Transport.Numerics.Geometry;
using Transport.Numerics.IO;

namespace Transport.Numerics.Tests.Flows;

/// <summary>The sinkhorn-flow run-specification keys for the multiscale solver: values, defaults, errors naming the field.</summary>
public sealed class SinkhornFlowSpecTests
{
    private static readonly FlowModelData Data = new(PointCloud.Create(TestData.Points(8, 2, seed: 1), 8, 2), null);

    private static SinkhornDivergenceFlowModel Build(string keys)
    {
        var spec = JsonSpecReader.Parse($$"""{"epsilon": 0.1, {{keys}}}""");
        var model = FlowModelCatalog.Build("sinkhorn-flow", 2, spec, Data);
        spec.RejectUnknown();
        return Assert.IsType<SinkhornDivergenceFlowModel>(model);
    }

    [Fact]
    public void Multiscale_keys_reach_the_model()
    {
        var chosen = Build("""
            "multiscale": true, "levels": 4, "truncate": 3.5
            """).Multiscale;
        Assert.NotNull(chosen);
        Assert.Equal(4, chosen.Levels);
        Assert.Equal(3.5, chosen.Truncation);

        var defaults = Build("\"multiscale\": true").Multiscale;
        Assert.NotNull(defaults);
        Assert.Null(defaults.Levels);
        Assert.Equal(5, defaults.Truncation);

        Assert.Null(Build("\"multiscale\": false").Multiscale);
        Assert.Null(Build("\"cost\": \"sqeuclidean\"").Multiscale);
    }

    [Theory]
    [InlineData("\"multiscale\": true, \"levels\": 0", "levels", "0")]
    [InlineData("\"multiscale\": true, \"levels\": 17", "levels", "17")]
    [InlineData("\"multiscale\": true, \"levels\": 2.5", "levels", "2.5")]
    [InlineData("\"multiscale\": true, \"truncate\": -1", "truncate", "-1")]
    [InlineData("\"multiscale\": true, \"truncate\": 0", "truncate", "0")]
    [InlineData("\"levels\": 3", "levels", "multiscale")]
    [InlineData("\"multiscale\": false, \"truncate\": 4", "truncate", "multiscale")]
    [InlineData("\"multiscale\": \"yes\"", "multiscale", "\"yes\"")]
    public void Bad_multiscale_keys_name_the_field(string keys, string field, string detail)
    {
        var error = Assert.Throws<InvalidInputException>(() => Build(keys));
        Assert.StartsWith($"{field}:", error.Message, StringComparison.Ordinal);
        Assert.Contains(detail, error.Message, StringComparison.Ordinal);
    }
}
