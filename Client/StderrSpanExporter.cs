using System.Diagnostics;
using System.Globalization;
using OpenTelemetry;

namespace Transport.Client;

/// <summary>
/// <c>--telemetry console</c> on the console: one line per finished span on stderr (name, trace id, parent span, duration,
/// the job and shard tags), so that stdout keeps only the command's result (scripts read ids and summaries there).
/// </summary>
internal sealed class StderrSpanExporter(TextWriter stderr) : BaseExporter<Activity>
{
    /// <inheritdoc />
    public override ExportResult Export(in Batch<Activity> batch)
    {
        foreach (var span in batch)
        {
            var tags = string.Join(' ', span.TagObjects.Where(t => t.Key.StartsWith("transport.", StringComparison.Ordinal)).Select(t => $"{t.Key}={t.Value}"));
            stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"span {span.OperationName} trace={span.TraceId} parent={span.ParentSpanId} {span.Duration.TotalMilliseconds:F1} ms {tags}"));
        }

        stderr.Flush();
        return ExportResult.Success;
    }
}
