using System.Runtime.InteropServices;

namespace Transport.Client;

/// <summary>
/// Ctrl+C (SIGINT) and SIGTERM as one cancellation of the running command: the first signal cancels the token (the
/// job is cancelled in the cluster, nothing is written, the process exits by itself); a second one of either kind is
/// left to the runtime, which ends the process at once. <see cref="ExitCode"/> tells the two apart: 130 after Ctrl+C,
/// 143 after SIGTERM.
/// </summary>
internal sealed class ConsoleSignals : IDisposable
{
    private readonly CancellationTokenSource cancellation = new();
    private readonly PosixSignalRegistration terminate;
    private volatile bool terminated;

    /// <summary>Registers the handlers; <see cref="Dispose"/> removes them.</summary>
    public ConsoleSignals()
    {
        Console.CancelKeyPress += OnCancelKeyPress;
        terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnTerminate);
    }

    /// <summary>Cancelled by the first Ctrl+C or SIGTERM.</summary>
    public CancellationToken Token => cancellation.Token;

    /// <summary>
    /// The process exit code for a command that returned <paramref name="code"/>: a cancellation caused by SIGTERM
    /// becomes <see cref="ExitCodes.Terminated"/>, the convention 128 + 15 of shells and service managers.
    /// </summary>
    public int ExitCode(int code) => code == ExitCodes.Cancelled && terminated ? ExitCodes.Terminated : code;

    /// <inheritdoc/>
    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancelKeyPress;
        terminate.Dispose();
        cancellation.Dispose();
    }

    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e) => e.Cancel = TryCancel(sigterm: false);

    // Cancel = true keeps the runtime from ending the process before the job is cancelled in the cluster and the
    // embedded silo has stopped.
    private void OnTerminate(PosixSignalContext context) => context.Cancel = TryCancel(sigterm: true);

    private bool TryCancel(bool sigterm)
    {
        lock (cancellation)
        {
            if (cancellation.IsCancellationRequested)
            {
                return false;
            }

            terminated = sigterm;
            cancellation.Cancel();
            return true;
        }
    }
}
