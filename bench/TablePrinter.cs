using System.Text;

namespace Transport.Bench;

/// <summary>A plain-text table with aligned columns: text left-aligned, numbers right-aligned.</summary>
internal sealed class TablePrinter
{
    private readonly string[] headers;
    private readonly List<string[]> rows = [];

    public TablePrinter(params string[] headers)
    {
        this.headers = headers;
    }

    public void Add(params string[] cells)
    {
        if (cells.Length != headers.Length)
        {
            throw new ArgumentException($"expected {headers.Length} cells, got {cells.Length}", nameof(cells));
        }

        rows.Add(cells);
    }

    public string Render()
    {
        var widths = new int[headers.Length];
        for (var c = 0; c < headers.Length; c++)
        {
            widths[c] = Math.Max(headers[c].Length, rows.Count == 0 ? 0 : rows.Max(row => row[c].Length));
        }

        var builder = new StringBuilder();
        AppendRow(builder, headers, widths, header: true);
        builder.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in rows)
        {
            AppendRow(builder, row, widths, header: false);
        }

        return builder.ToString();
    }

    private static void AppendRow(StringBuilder builder, string[] cells, int[] widths, bool header)
    {
        var parts = new string[cells.Length];
        for (var c = 0; c < cells.Length; c++)
        {
            var numeric = !header && cells[c].Length > 0 && (char.IsDigit(cells[c][0]) || cells[c][0] == '-' && cells[c].Length > 1);
            parts[c] = numeric ? cells[c].PadLeft(widths[c]) : cells[c].PadRight(widths[c]);
        }

        builder.AppendLine(string.Join("  ", parts).TrimEnd());
    }
}
