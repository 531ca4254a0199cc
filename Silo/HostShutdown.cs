using Microsoft.Extensions.Hosting;

namespace Transport.Silo;

/// <summary>Stopping a host (a silo, an embedded silo, a client) within a bound and disposing it, whatever state it is in.</summary>
public static class HostShutdown
{
    /// <summary>
    /// Stops <paramref name="host"/> within <paramref name="timeout"/>, then disposes it. A host that failed to start, is
    /// already stopped, or does not stop in time is disposed all the same: the caller has already reported why it stops.
    /// </summary>
    public static async Task StopAndDisposeAsync(IHost host, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(host);
        try
        {
            using var limit = new CancellationTokenSource(timeout);
            await host.StopAsync(limit.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            // Stopping after a failure, a cancellation or a failed start: nothing useful to add.
        }
        finally
        {
            if (host is IAsyncDisposable asyncDisposable)
            {
                await asyncDisposable.DisposeAsync();
            }
            else
            {
                host.Dispose();
            }
        }
    }
}
