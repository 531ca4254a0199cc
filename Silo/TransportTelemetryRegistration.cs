using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Transport.Grains;

namespace Transport.Silo;

/// <summary>Registers the product's and Orleans' telemetry with OpenTelemetry, as configured.</summary>
public static class TransportTelemetryRegistration
{
    /// <summary>Adds OpenTelemetry metrics and tracing with the exporter named in <paramref name="options"/>; nothing for <c>none</c>.</summary>
    public static IServiceCollection AddTransportTelemetry(this IServiceCollection services, TransportSiloOptions options)
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
        services.AddOpenTelemetry()
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(TransportTelemetry.Name, "Microsoft.Orleans");
                if (otlp)
                {
                    metrics.AddOtlpExporter(exporter => exporter.Endpoint = options.OtlpEndpoint);
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
                    tracing.AddOtlpExporter(exporter => exporter.Endpoint = options.OtlpEndpoint);
                }
                else
                {
                    tracing.AddConsoleExporter();
                }
            });
        return services;
    }
}
