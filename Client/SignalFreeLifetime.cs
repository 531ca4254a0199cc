using Microsoft.Extensions.Hosting;

namespace Transport.Client;

/// <summary>
/// The lifetime of the console's hosts (the embedded silo, the cluster client): it handles no signal. The default
/// console lifetime would take SIGINT and SIGTERM for itself and only flag the host as stopping, which the console
/// never waits for, so the command would run on; <see cref="ConsoleSignals"/> handles them for the whole process.
/// </summary>
internal sealed class SignalFreeLifetime : IHostLifetime
{
    /// <inheritdoc/>
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
