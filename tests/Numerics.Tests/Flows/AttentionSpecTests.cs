using Transport.Numerics.Flows;
using Transport.Numerics.Flows.Models;
using Transport.Numerics.IO;
using Transport.Numerics.Kernels;

namespace Transport.Numerics.Tests.Flows;

/// <summary>The attention models' run-specification keys: defaults, values, and errors naming the field.</summary>
public sealed class AttentionSpecTests
{
    private static IFlowModel? Build(string model, int dimension, string json)
    {
        var spec = JsonSpecReader.Parse(json);
        var built = AttentionModelSpecs.Build(model, dimension, spec);
        spec.RejectUnknown();
        return built;
    }

    [Fact]
    public void BuildsEveryAttentionModel()
    {
        var sphere = Assert.IsType<SelfAttentionSphereModel>(Build("attention-sphere", 3, """{"variant": "USA", "beta": 4, "precision": "single"}"""));
        Assert.Equal(AttentionVariant.USA, sphere.Variant);
        Assert.Equal(4, sphere.Beta);
        Assert.Equal(Precision.Single, sphere.Precision);
        Assert.True(sphere.Matrices.IsIdentity);

        var defaults = Assert.IsType<SelfAttentionSphereModel>(Build("attention-sphere", 3, "{}"));
        Assert.Equal(AttentionVariant.SA, defaults.Variant);
        Assert.Equal(1, defaults.Beta);
        Assert.Equal(Precision.Double, defaults.Precision);

        var attention = Assert.IsType<AttentionModel>(Build("attention", 2, """{"query": [[1, 0], [0, 2], [1, 1]], "key": [[1, 1], [0, 1], [2, 0]], "value": [[0, 1], [1, 0]]}"""));
        Assert.Equal(3, attention.Matrices.ScoreDimension);
        Assert.False(attention.Matrices.HasIdentityValue);

        var sinkformer = Assert.IsType<SinkformerModel>(Build("sinkformer", 3, """{"beta": 2, "tolerance": 1e-10, "max_iterations": 50}"""));
        Assert.True(sinkformer.OnSphere);
        Assert.Equal(FlowManifold.Sphere, sinkformer.Manifold);
        Assert.Equal(2, sinkformer.Beta);
        Assert.Equal(1e-10, sinkformer.Tolerance);
        Assert.Equal(50, sinkformer.MaxIterations);
        Assert.False(Assert.IsType<SinkformerModel>(Build("sinkformer", 3, """{"on_sphere": false}""")).OnSphere);

        var heat = Assert.IsType<SinkformerHeatModel>(Build("sinkformer-heat", 1, """{"epsilon": 0.1}"""));
        Assert.Equal(0.1, heat.Epsilon);
        Assert.Null(Build("mmd-flow", 3, "{}"));
    }

    [Theory]
    [InlineData("attention-sphere", """{"variant": "softmax"}""", "variant")]
    [InlineData("attention-sphere", """{"beta": -1}""", "beta")]
    [InlineData("attention", """{"beta": "high"}""", "beta")]
    [InlineData("attention", """{"value": [[1, 0, 0], [0, 1, 0]]}""", "value")]
    [InlineData("attention", """{"query": [[1, 0, 0, 0]]}""", "query")]
    [InlineData("attention", """{"query": [[1, 0, 0]], "key": [[1, 0, 0], [0, 1, 0]]}""", "key")]
    [InlineData("sinkformer", """{"query": [[1, 1, 0], [0, 1, 0], [0, 0, 1]]}""", "key")]
    [InlineData("sinkformer", """{"tolerance": 0}""", "tolerance")]
    [InlineData("sinkformer", """{"max_iterations": 0}""", "max_iterations")]
    [InlineData("sinkformer-heat", "{}", "epsilon")]
    [InlineData("attention-sphere", """{"precision": "half"}""", "precision")]
    public void BadValuesAreErrorsNamingTheField(string model, string json, string field)
    {
        var error = Assert.Throws<InvalidInputException>(() => Build(model, 3, json));
        Assert.Equal(field, error.Field);
    }
}
