using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Transport.Grains;
using Transport.Numerics;

namespace Transport.Client;

/// <summary>
/// <c>--telemetry none|console|otlp</c> of the console (service name <c>transport</c>): <c>console</c> writes one line per
/// span on stderr (stdout stays the command's result); <c>otlp</c> sends the product's metrics and spans, and Orleans'
/// runtime metrics, to the collector at <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (default http://localhost:4317).
/// </summary>
internal sealed class ConsoleTelemetry
{
    private readonly string kind;
    private readonly TextWriter stderr;

    private ConsoleTelemetry(string kind, TextWriter stderr)
    {
        this.kind = kind;
        this.stderr = stderr;
    }

    /// <summary>The telemetry of <paramref name="kind"/>, or null for <c>none</c>; throws for an unknown kind (field <c>telemetry</c>).</summary>
    public static ConsoleTelemetry? Parse(string? kind, TextWriter stderr) => kind switch
    {
        null or "none" => null,
        "console" or "otlp" => new ConsoleTelemetry(kind, stderr),
        _ => throw new InvalidInputException("telemetry", $"unknown kind '{kind}' (expected none, console or otlp)"),
    };

    /// <summary>Registers the exporters on a host's services.</summary>
    public void Register(IServiceCollection services)
    {
        var otlp = kind == "otlp";
        var endpoint = Uri.TryCreate(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT"), UriKind.Absolute, out var configured)
            ? configured
            : new Uri("http://localhost:4317");
        var builder = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("transport"))
            .WithTracing(tracing =>
            {
                tracing.AddSource(TransportTelemetry.Name, "Microsoft.Orleans.Application");
                if (otlp)
                {
                    tracing.AddOtlpExporter(exporter => exporter.Endpoint = endpoint);
                }
                else
                {
                    tracing.AddProcessor(new SimpleActivityExportProcessor(new StderrSpanExporter(stderr)));
                }
            });
        if (otlp)
        {
            builder.WithMetrics(metrics => metrics.AddMeter(TransportTelemetry.Name, "Microsoft.Orleans").AddOtlpExporter(exporter => exporter.Endpoint = endpoint));
        }
    }
}
