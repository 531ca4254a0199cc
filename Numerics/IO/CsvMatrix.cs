using System.Globalization;
using System.Text;

namespace Transport.Numerics.IO;

/// <summary>
/// A numeric matrix read from or written to comma-separated text: one row per line, invariant
/// culture, an optional header line. Values are held in float64, row-major.
/// </summary>
/// <remarks>
/// Reading: lines may end in <c>\n</c> or <c>\r\n</c>; blank lines are skipped; cells are trimmed.
/// The first non-blank line is a header when none of its cells is a number, and data otherwise (a
/// line that mixes names and numbers is an error, since it is more likely a damaged data row than
/// a header). Every data row must have as many cells as the first row (and as the header). Cells
/// are parsed with the invariant culture; <c>NaN</c>, <c>Infinity</c>, <c>-Infinity</c>, <c>nan</c>,
/// <c>inf</c> and <c>-inf</c> are accepted as values: finiteness is checked later, for example by
/// <see cref="Geometry.PointCloud.Create"/>. Any other non-numeric cell is an
/// <see cref="InvalidInputException"/> that names the line and column (both 1-based).
/// Writing uses round-trip (<c>"R"</c>) formatting, so reading back gives the same doubles bit for bit.
/// </remarks>
/// <param name="Data">The values in row-major order, <paramref name="Rows"/> x <paramref name="Columns"/>.</param>
/// <param name="Rows">Number of data rows.</param>
/// <param name="Columns">Number of columns.</param>
/// <param name="Header">Column names when the text had a header line, otherwise null.</param>
public sealed record CsvMatrix(double[] Data, int Rows, int Columns, IReadOnlyList<string>? Header)
{
    /// <summary>
    /// Reads <paramref name="path"/>; a missing file is reported as <c>file not found: PATH</c> and
    /// everything else as on <see cref="Read(TextReader, string)"/>.
    /// </summary>
    /// <param name="path">The file to read (UTF-8, a byte-order mark is allowed).</param>
    /// <param name="field">The user-facing name of the input (for example <c>source</c>), used in errors.</param>
    public static CsvMatrix Read(string path, string field)
    {
        ArgumentNullException.ThrowIfNull(field);
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new InvalidInputException(field, "the file path is empty");
        }

        if (!File.Exists(path))
        {
            throw new InvalidInputException(field, $"file not found: {path}");
        }

        try
        {
            using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            return Read(reader, field);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            throw new InvalidInputException(field, $"cannot read {path}: {ex.Message}");
        }
    }

    /// <summary>
    /// Reads CSV text from <paramref name="reader"/> (left open). Throws
    /// <see cref="InvalidInputException"/> for <paramref name="field"/> when there are no data rows, a
    /// row has the wrong number of cells, or a cell is empty or not a number (naming line and column).
    /// </summary>
    /// <param name="reader">The text source.</param>
    /// <param name="field">The user-facing name of the input, used in errors.</param>
    public static CsvMatrix Read(TextReader reader, string field)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(field);
        var values = new List<double>();
        List<string>? header = null;
        var columns = -1;
        var rows = 0;
        var lineNumber = 0;
        try
        {
            while (reader.ReadLine() is { } line)
            {
                lineNumber++;
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }

                var cells = line.Split(',');
                if (columns < 0)
                {
                    columns = cells.Length;
                    if (IsHeader(cells))
                    {
                        header = [.. cells.Select(c => Unquote(c.Trim()))];
                        continue;
                    }
                }

                if (cells.Length != columns)
                {
                    throw new InvalidInputException(
                        field,
                        $"line {lineNumber} has {cells.Length} columns, expected {columns} (as in the {(header is null ? "first row" : "header")})");
                }

                for (var column = 0; column < cells.Length; column++)
                {
                    var cell = cells[column].Trim();
                    if (cell.Length == 0)
                    {
                        throw new InvalidInputException(field, $"line {lineNumber}, column {column + 1}: empty cell");
                    }

                    if (!TryParseCell(cell, out var value))
                    {
                        throw new InvalidInputException(field, $"line {lineNumber}, column {column + 1}: '{cell}' is not a number");
                    }

                    values.Add(value);
                }

                rows++;
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            throw new InvalidInputException(field, $"cannot read the CSV text: {ex.Message}");
        }

        if (rows == 0)
        {
            throw new InvalidInputException(field, header is null ? "the CSV text is empty; at least one data row is required" : "the CSV text has a header but no data rows");
        }

        return new CsvMatrix([.. values], rows, columns, header);
    }

    /// <summary>Parses CSV held in a string, with the rules of <see cref="Read(TextReader, string)"/>.</summary>
    /// <param name="text">The CSV text.</param>
    /// <param name="field">The user-facing name of the input, used in errors.</param>
    public static CsvMatrix Parse(string text, string field)
    {
        ArgumentNullException.ThrowIfNull(text);
        using var reader = new StringReader(text);
        return Read(reader, field);
    }

    /// <summary>
    /// Writes a <paramref name="rows"/> x <paramref name="columns"/> row-major matrix as CSV, with an
    /// optional header line, atomically (temporary file in the same directory, then a move), so a
    /// failure leaves no partial file. Throws <see cref="InvalidInputException"/> for
    /// <paramref name="field"/> when the shape does not match the data, the header has the wrong
    /// length or a name containing a comma, quote or line break, or the file cannot be written.
    /// </summary>
    /// <param name="path">Destination file (UTF-8 without byte-order mark, <c>\n</c> line ends); replaced if it exists.</param>
    /// <param name="data">Values in row-major order.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="columns">Number of columns.</param>
    /// <param name="header">Column names, or null for no header line.</param>
    /// <param name="field">The user-facing name of the output, used in errors.</param>
    public static void Write(string path, ReadOnlySpan<double> data, int rows, int columns, IReadOnlyList<string>? header = null, string field = "output")
    {
        ArgumentNullException.ThrowIfNull(field);
        var text = Format(data, rows, columns, header, field);
        var bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text);
        AtomicFileWriter.Write(path, field, stream => stream.Write(bytes));
    }

    /// <summary>Writes this matrix (with its header, if any) to <paramref name="path"/>, atomically.</summary>
    /// <param name="path">Destination file; replaced if it exists.</param>
    /// <param name="field">The user-facing name of the output, used in errors.</param>
    public void Write(string path, string field = "output") => Write(path, Data, Rows, Columns, Header, field);

    /// <summary>
    /// Formats a row-major matrix as CSV text with the rules of
    /// <see cref="Write(string, ReadOnlySpan{double}, int, int, IReadOnlyList{string}?, string)"/>.
    /// </summary>
    /// <param name="data">Values in row-major order.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="columns">Number of columns.</param>
    /// <param name="header">Column names, or null for no header line.</param>
    /// <param name="field">The user-facing name of the output, used in errors.</param>
    public static string Format(ReadOnlySpan<double> data, int rows, int columns, IReadOnlyList<string>? header = null, string field = "output")
    {
        ArgumentNullException.ThrowIfNull(field);
        if (rows < 0 || columns <= 0 || (long)rows * columns != data.Length)
        {
            throw new InvalidInputException(field, $"shape {rows} x {columns} does not match {data.Length} values");
        }

        var builder = new StringBuilder();
        if (header is not null)
        {
            if (header.Count != columns)
            {
                throw new InvalidInputException(field, $"header has {header.Count} names for {columns} columns");
            }

            for (var column = 0; column < columns; column++)
            {
                var name = header[column];
                if (name.AsSpan().IndexOfAny(",\"\r\n") >= 0 || TryParseCell(name.Trim(), out _) || name.Trim().Length == 0)
                {
                    throw new InvalidInputException(field, $"header name {column + 1} '{name}' must be non-empty, not a number, and free of commas, quotes and line breaks");
                }

                builder.Append(column == 0 ? string.Empty : ",").Append(name);
            }

            builder.Append('\n');
        }

        for (var row = 0; row < rows; row++)
        {
            for (var column = 0; column < columns; column++)
            {
                if (column > 0)
                {
                    builder.Append(',');
                }

                builder.Append(data[(row * columns) + column].ToString("R", CultureInfo.InvariantCulture));
            }

            builder.Append('\n');
        }

        return builder.ToString();
    }

    private static bool IsHeader(string[] cells)
    {
        foreach (var cell in cells)
        {
            if (TryParseCell(cell.Trim(), out _))
            {
                return false;
            }
        }

        return true;
    }

    private static string Unquote(string cell) =>
        cell.Length >= 2 && cell[0] == '"' && cell[^1] == '"' ? cell[1..^1] : cell;

    private static bool TryParseCell(string cell, out double value)
    {
        if (double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
        {
            return true;
        }

        // NumPy's savetxt and many tools write these spellings of the IEEE special values.
        switch (cell.ToUpperInvariant())
        {
            case "NAN" or "+NAN" or "-NAN":
                value = double.NaN;
                return true;
            case "INF" or "+INF" or "INFINITY" or "+INFINITY":
                value = double.PositiveInfinity;
                return true;
            case "-INF" or "-INFINITY":
                value = double.NegativeInfinity;
                return true;
            default:
                value = 0;
                return false;
        }
    }
}
