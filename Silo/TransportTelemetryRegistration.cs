using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Transport.Grains;

namespace Transport.Silo;

/// <summary>Registers the product's and Orleans' telemetry with OpenTelemetry, as configured.</summary>
public static class TransportTelemetryRegistration
{
    /// <summary>Adds OpenTelemetry metrics and tracing with the exporter named in <paramref name="options"/>; nothing for <c>none</c>.</summary>
    public static IServiceCollection AddTransportTelemetry(this IServiceCollection services, TransportSiloOptions options, string serviceName)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Telemetry == "none")
        {
            return services;
        }

        if (options.Telemetry is not ("console" or "otlp"))
        {
            throw new InvalidOperationException($"Transport:Telemetry '{options.Telemetry}' is not supported (expected none, console or otlp)");
        }

        var otlp = options.Telemetry == "otlp";

        // OTEL_EXPORTER_OTLP_ENDPOINT wins over the default endpoint (an explicit Transport:OtlpEndpoint wins over both).
        var endpoint = options.OtlpEndpoint == new TransportSiloOptions().OtlpEndpoint
            && Uri.TryCreate(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT"), UriKind.Absolute, out var fromEnvironment)
            ? fromEnvironment
            : options.OtlpEndpoint;
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithMetrics(metrics =>
            {
                // Orleans' runtime metrics go to a collector only: on the console they flood everything else.
                metrics.AddMeter(TransportTelemetry.Name);
                if (otlp)
                {
                    metrics.AddMeter("Microsoft.Orleans");
                    metrics.AddOtlpExporter(exporter => exporter.Endpoint = endpoint);
                }
                else
                {
                    metrics.AddConsoleExporter();
                }
            })
            .WithTracing(tracing =>
            {
                tracing.AddSource(TransportTelemetry.Name, "Microsoft.Orleans.Application");
                if (otlp)
                {
                    tracing.AddOtlpExporter(exporter => exporter.Endpoint = endpoint);
                }
                else
                {
                    tracing.AddConsoleExporter();
                }
            });
        return services;
    }
}
