using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Dashboard;

namespace Transport.Silo;

/// <summary>The standalone silo process: read and check the settings, start, run until stopped.</summary>
public static class SiloProgram
{
    /// <summary>Exit code for a setting that cannot work (nothing was started).</summary>
    public const int BadConfiguration = 2;

    /// <summary>Exit code for a failure while starting or running.</summary>
    public const int Failure = 1;

    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan HardStopAfter = TimeSpan.FromSeconds(30);

    /// <summary>Runs a silo with <paramref name="args"/>; returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        HostApplicationBuilder builder;
        TransportSiloOptions options;
        try
        {
            builder = Host.CreateApplicationBuilder(args);
            options = TransportSettings.Read(builder.Configuration);
            await TransportPreflight.CheckAsync(options);
        }
        catch (TransportSettingsException ex)
        {
            return await FailAsync(ex.Message, BadConfiguration);
        }
        catch (Exception ex) when (ex is FormatException or InvalidDataException or InvalidOperationException)
        {
            // The configuration itself cannot be read: an argument that is not --KEY=VALUE, malformed appsettings.json.
            return await FailAsync($"configuration: {OneLine(ex)}", BadConfiguration);
        }

        IHost? host = null;
        try
        {
            host = options.DashboardPort == 0 ? BuildSilo(builder, options) : BuildSiloWithDashboard(args, options);
            await host.StartAsync();
        }
        catch (Exception ex)
        {
            await DisposeAsync(host);
            return TransportPreflight.Explain(ex, options) is { } setting
                ? await FailAsync(setting.Message, BadConfiguration)
                : await FailAsync($"the silo did not start: {OneLine(ex)}", Failure);
        }

        // Orleans can hang while stopping when Redis is gone (it keeps retrying to update the membership): a silo
        // asked to stop must not be left running, so it exits anyway after HardStopAfter.
        host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(() => _ = Task.Run(async () =>
        {
            await Task.Delay(HardStopAfter);
            await Console.Error.WriteLineAsync($"error: the silo did not stop within {HardStopAfter.TotalSeconds:F0} s (is Transport:Redis reachable?); exiting");
            Environment.Exit(Failure);
        }));
        // SIGTERM (and Ctrl+C) reach the host's console lifetime, which stops the host: Orleans' graceful shutdown
        // writes this silo ShuttingDown, then Dead, into the membership table and tells the others before the
        // process ends, so no work is placed on it afterwards and nobody waits for the failure detector to vote it
        // dead; the exit code is 0 (SignalTests covers it).
        await host.WaitForShutdownAsync();
        await DisposeAsync(host);
        return 0;
    }

    private static IHost BuildSilo(HostApplicationBuilder builder, TransportSiloOptions options)
    {
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = StopTimeout);
        builder.UseOrleans(silo => silo.AddTransportSilo(options));
        return builder.Build();
    }

    /// <summary>
    /// The silo hosted by ASP.NET Core, which serves the Orleans dashboard on <see cref="TransportSiloOptions.DashboardAddress"/>
    /// : <see cref="TransportSiloOptions.DashboardPort"/> (the same configuration sources, read again by the web builder).
    /// </summary>
    private static WebApplication BuildSiloWithDashboard(string[] args, TransportSiloOptions options)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = StopTimeout);
        builder.WebHost.UseUrls(string.Create(CultureInfo.InvariantCulture, $"http://{options.DashboardAddress}:{options.DashboardPort}"));
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.UseOrleans(silo =>
        {
            silo.AddTransportSilo(options);
            silo.AddDashboard();
        });
        var app = builder.Build();
        app.MapOrleansDashboard();
        return app;
    }

    private static async Task<int> FailAsync(string message, int code)
    {
        await Console.Error.WriteLineAsync($"error: {message}");
        return code;
    }

    private static string OneLine(Exception ex)
    {
        var innermost = ex;
        while (innermost.InnerException is not null && innermost is AggregateException or TypeInitializationException or System.Reflection.TargetInvocationException)
        {
            innermost = innermost.InnerException;
        }

        var line = innermost.Message.ReplaceLineEndings(" ");
        return line.Length > 300 ? line[..300] + "..." : line;
    }

    private static Task DisposeAsync(IHost? host) => host is null ? Task.CompletedTask : HostShutdown.StopAndDisposeAsync(host, StopTimeout);
}
