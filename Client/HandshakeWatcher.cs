using Microsoft.Extensions.Logging;

namespace Transport.Client;

/// <summary>
/// Watches an Orleans client's connection log for gateways that accept the TCP connection and then close it during
/// the handshake: a gateway does that when the client's cluster id is not its own, and when the two sides' TLS settings
/// disagree (which <see cref="GatewayTlsCheck"/> then tells apart). Orleans retries such gateways
/// indefinitely; after <see cref="Limit"/> of them the watcher cancels <see cref="Rejected"/> so that the console
/// can say what is wrong in one line instead of waiting for its connect timeout.
/// </summary>
internal sealed class HandshakeWatcher : ILoggerProvider
{
    /// <summary>Closed handshakes in a row before the watcher gives up.</summary>
    public const int Limit = 2;

    private readonly CancellationTokenSource rejected = new();
    private int closedHandshakes;

    /// <summary>Cancelled once <see cref="Limit"/> handshakes were closed by the gateways.</summary>
    public CancellationToken Rejected => rejected.Token;

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) =>
        categoryName == "Orleans.Runtime.Messaging.ConnectionManager" ? new Watcher(this) : NullLogger.Instance;

    /// <inheritdoc />
    public void Dispose() => rejected.Dispose();

    private void Observe(string message, Exception? exception)
    {
        if (message.StartsWith("Connection attempt to endpoint", StringComparison.Ordinal)
            && exception is InvalidOperationException or Microsoft.AspNetCore.Connections.ConnectionAbortedException
            && Interlocked.Increment(ref closedHandshakes) == Limit)
        {
            try
            {
                rejected.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The connection attempt is over already.
            }
        }
    }

    private sealed class Watcher(HandshakeWatcher owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner.Observe(formatter(state, exception), exception);
            }
        }
    }

    private sealed class NullLogger : ILogger
    {
        public static readonly NullLogger Instance = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => false;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
        }
    }
}
