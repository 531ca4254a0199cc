using Transport.Numerics.IO;

namespace Transport.Numerics.Tests.IO;

public sealed class JsonSpecReaderTests
{
    [Fact]
    public void Typed_getters_read_values_and_defaults()
    {
        var reader = JsonSpecReader.Parse("""{"model": "mmd-flow", "step": 0.01, "shards": 3, "flag": true, "v": [1, 2], "m": [[1, 2], [3, 4], [5, 6]], "inner": {"n": 5}}""");
        Assert.Equal("mmd-flow", reader.String("model"));
        Assert.Equal(0.01, reader.Number("step", min: 0, exclusiveMin: true));
        Assert.Equal(3, reader.Integer("shards", min: 1));
        Assert.True(reader.Boolean("flag", false));
        Assert.Equal(7.5, reader.Number("absent", 7.5));
        Assert.Equal([1.0, 2.0], reader.Vector("v")!);
        var matrix = reader.Matrix("m")!.Value;
        Assert.Equal((3, 2), (matrix.Rows, matrix.Columns));
        Assert.Equal([1.0, 2, 3, 4, 5, 6], matrix.Values);
        var inner = reader.Object("inner")!;
        Assert.Equal(5, inner.Integer("n"));
        Assert.Equal("inner.n", inner.FieldOf("n"));
        reader.RejectUnknown();
        inner.RejectUnknown();
    }

    [Theory]
    [InlineData("""{"step": -1}""", "step", "-1")]
    [InlineData("""{"step": "fast"}""", "step", "\"fast\"")]
    [InlineData("""{"shards": 2.5}""", "shards", "2.5")]
    [InlineData("""{"shards": 0}""", "shards", "0")]
    [InlineData("""{"inner": {"n": "x"}}""", "inner.n", "\"x\"")]
    [InlineData("""{"m": [[1, 2], [3]]}""", "m[1]", "1 entries")]
    [InlineData("""{"v": [1, "a"]}""", "v[1]", "\"a\"")]
    public void Bad_values_name_the_field_and_the_value(string json, string field, string value)
    {
        var reader = JsonSpecReader.Parse(json);
        var error = Assert.Throws<InvalidInputException>(() =>
        {
            reader.Number("step", 1, min: 0, exclusiveMin: true);
            reader.Integer("shards", 1, min: 1);
            reader.Object("inner")?.Integer("n");
            reader.Matrix("m");
            reader.Vector("v");
        });
        Assert.Equal(field, error.Field);
        Assert.Contains(value, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"model": "mmd-flow", "model": "langevin"}""", "model")]
    [InlineData("""{"initial": {"n": 8, "dim": 2, "n": 9}}""", "initial.n")]
    public void A_field_given_twice_is_an_error_naming_it(string json, string field)
    {
        var error = Assert.Throws<InvalidInputException>(() =>
        {
            var reader = JsonSpecReader.Parse(json);
            reader.Object("initial");
        });

        Assert.Equal(field, error.Field);
        Assert.Contains("more than once", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_fields_and_missing_required_fields_are_errors()
    {
        var reader = JsonSpecReader.Parse("""{"model": "x", "stpe": 0.1}""");
        reader.String("model");
        var unknown = Assert.Throws<InvalidInputException>(reader.RejectUnknown);
        Assert.Equal("stpe", unknown.Field);
        var missing = Assert.Throws<InvalidInputException>(() => reader.Number("t_end"));
        Assert.Equal("t_end", missing.Field);
        var malformed = Assert.Throws<InvalidInputException>(() => JsonSpecReader.Parse("{\"model\": "));
        Assert.Equal("specification", malformed.Field);
    }
}
