using Transport.Numerics.IO;

namespace Transport.Numerics.Tests.IO;

public sealed class CsvMatrixTests : IDisposable
{
    private const string Field = "target";
    private readonly string directory = Path.Combine(Path.GetTempPath(), "csv-tests-" + Guid.NewGuid().ToString("N"));

    public CsvMatrixTests() => Directory.CreateDirectory(directory);

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void Round_trip_with_header_is_bit_exact_including_special_values()
    {
        double[] data = [0.1, -0.0, 1e-310, double.NaN, double.PositiveInfinity, double.NegativeInfinity, 1.0 / 3, -2.5e300];
        var path = Path.Combine(directory, "m.csv");
        CsvMatrix.Write(path, data, 4, 2, ["x", "y"]);

        var read = CsvMatrix.Read(path, Field);

        Assert.Equal(4, read.Rows);
        Assert.Equal(2, read.Columns);
        Assert.Equal(new[] { "x", "y" }, read.Header);
        Assert.Equal(data.Select(BitConverter.DoubleToInt64Bits), read.Data.Select(BitConverter.DoubleToInt64Bits));
    }

    [Fact]
    public void Round_trip_without_header_through_the_record()
    {
        var matrix = new CsvMatrix([1, 2, 3], 3, 1, null);
        var path = Path.Combine(directory, "v.csv");
        matrix.Write(path);

        Assert.Equal("1\n2\n3\n", File.ReadAllText(path));
        var read = CsvMatrix.Read(path, Field);
        Assert.Null(read.Header);
        Assert.Equal(matrix.Data, read.Data);
        Assert.Equal((3, 1), (read.Rows, read.Columns));
    }

    [Fact]
    public void Header_is_detected_only_when_no_cell_of_the_first_line_is_a_number()
    {
        var withHeader = CsvMatrix.Parse("\"a\", b\n1,2\n", Field);
        Assert.Equal(new[] { "a", "b" }, withHeader.Header);
        Assert.Equal(1, withHeader.Rows);

        var withoutHeader = CsvMatrix.Parse("1,2\n3,4\n", Field);
        Assert.Null(withoutHeader.Header);
        Assert.Equal(2, withoutHeader.Rows);
    }

    [Fact]
    public void Crlf_blank_lines_spaces_and_numpy_spellings_are_accepted()
    {
        var read = CsvMatrix.Parse("x,y\r\n\r\n 1.5 , -2e-3\r\nnan,inf\r\n-inf,1E+2\r\n\r\n", Field);

        Assert.Equal(3, read.Rows);
        Assert.Equal(1.5, read.Data[0]);
        Assert.Equal(-2e-3, read.Data[1]);
        Assert.True(double.IsNaN(read.Data[2]));
        Assert.Equal(double.PositiveInfinity, read.Data[3]);
        Assert.Equal(double.NegativeInfinity, read.Data[4]);
        Assert.Equal(100, read.Data[5]);
    }

    public static TheoryData<string, string> MalformedTexts() => new()
    {
        { "1,2\n3,abc\n", "line 2, column 2: 'abc' is not a number" },
        { "x,y\n1,2\n\n3,4,5\n", "line 4 has 3 columns, expected 2 (as in the header)" },
        { "1,2\n3\n", "line 2 has 1 columns, expected 2 (as in the first row)" },
        { "1,,2\n", "line 1, column 2: empty cell" },
        { "1,2\n3,1,5\n", "line 2 has 3 columns" },
        { "x,1\n", "line 1, column 1: 'x' is not a number" },
        { "a;b\n3;4\n", "line 2, column 1: '3;4' is not a number" },
        { "1,2\n3,4,\n", "line 2 has 3 columns" },
        { "", "empty" },
        { "\n  \n", "empty" },
        { "x,y\n", "header but no data rows" },
    };

    [Theory]
    [MemberData(nameof(MalformedTexts))]
    public void Malformed_text_names_the_field_line_and_column(string text, string expected)
    {
        var ex = Assert.Throws<InvalidInputException>(() => CsvMatrix.Parse(text, Field));
        Assert.Equal(Field, ex.Field);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_file_names_the_path()
    {
        var path = Path.Combine(directory, "none.csv");
        var ex = Assert.Throws<InvalidInputException>(() => CsvMatrix.Read(path, "source-weights"));
        Assert.Equal("source-weights", ex.Field);
        Assert.Contains($"file not found: {path}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_write_leaves_no_file()
    {
        var path = Path.Combine(directory, "bad.csv");
        var shape = Assert.Throws<InvalidInputException>(() => CsvMatrix.Write(path, [1, 2, 3], 2, 2));
        Assert.Equal("output", shape.Field);
        Assert.Contains("2 x 2 does not match 3 values", shape.Message, StringComparison.Ordinal);
        var header = Assert.Throws<InvalidInputException>(() => CsvMatrix.Write(path, [1, 2], 1, 2, ["a,b", "c"], "result"));
        Assert.Equal("result", header.Field);
        Assert.Contains("'a,b'", header.Message, StringComparison.Ordinal);
        var count = Assert.Throws<InvalidInputException>(() => CsvMatrix.Write(path, [1, 2], 1, 2, ["a"]));
        Assert.Contains("1 names for 2 columns", count.Message, StringComparison.Ordinal);
        var io = Assert.Throws<InvalidInputException>(() => CsvMatrix.Write(Path.Combine(directory, "nope", "x.csv"), [1.0], 1, 1));
        Assert.Contains("nope", io.Message, StringComparison.Ordinal);

        Assert.Empty(Directory.GetFiles(directory));
    }
}
