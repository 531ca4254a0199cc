using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Transport.Silo;

namespace Transport.Grains.Tests;

/// <summary>
/// <see cref="HostShutdown.StopAndDisposeAsync"/> bounds a stop: a service that would never stop by itself is
/// cancelled at the bound, and the host is disposed whatever state it is in (stuck, never started, failing to stop).
/// </summary>
public sealed class HostShutdownTests
{
    // A hang guard only: the stop itself is bounded by the short timeout given to StopAndDisposeAsync.
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task A_service_that_never_stops_by_itself_is_cancelled_at_the_bound_and_the_host_disposed()
    {
        var service = new StuckService();
        var host = Host(service);
        await host.StartAsync();

        await HostShutdown.StopAndDisposeAsync(host, TimeSpan.FromMilliseconds(200)).WaitAsync(HangGuard);

        Assert.True(service.StopCancelled);
        Assert.True(service.Disposed);
    }

    [Fact]
    public async Task A_host_that_never_started_or_fails_to_stop_is_disposed_all_the_same()
    {
        var idle = Host(new StuckService());
        await HostShutdown.StopAndDisposeAsync(idle, TimeSpan.FromMilliseconds(200)).WaitAsync(HangGuard);
        Assert.Throws<ObjectDisposedException>(() => idle.Services.GetService<IHostedService>());

        var failing = new StuckService { FailOnStop = true };
        var host = Host(failing);
        await host.StartAsync();
        await HostShutdown.StopAndDisposeAsync(host, TimeSpan.FromSeconds(5)).WaitAsync(HangGuard);
        Assert.True(failing.Disposed);
    }

    private static IHost Host(StuckService service)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        // A factory registration: the container disposes what it created, as it does for the silo's own services.
        builder.Services.AddSingleton<IHostedService>(_ => service);
        return builder.Build();
    }

    /// <summary>Stops only when its stop is cancelled (or throws, when told to), and records what happened to it.</summary>
    private sealed class StuckService : IHostedService, IDisposable
    {
        public bool FailOnStop { get; init; }

        public bool StopCancelled { get; private set; }

        public bool Disposed { get; private set; }

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public async Task StopAsync(CancellationToken cancellationToken)
        {
            if (FailOnStop)
            {
                throw new InvalidOperationException("cannot stop");
            }

            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                StopCancelled = true;
                throw;
            }
        }

        public void Dispose() => Disposed = true;
    }
}
