using Transport.Grains.Interfaces;
using Transport.Numerics;

namespace Transport.Client;

/// <summary>
/// The one mapping from a command's failure to its message on stderr and its exit code, shared by every command:
/// bad input (the engine's <see cref="InvalidInputException"/> or a coordinator's <see cref="JobInputException"/>)
/// is exit 2 naming the field, Ctrl+C is 130, anything else is 1.
/// </summary>
internal static class CommandErrors
{
    /// <summary>Whether a command reports <paramref name="ex"/> (everything but running out of memory).</summary>
    public static bool Reports(Exception ex) => ex is not OutOfMemoryException;

    /// <summary>Writes the message for <paramref name="ex"/> and returns the exit code.</summary>
    /// <param name="ex">The failure.</param>
    /// <param name="stderr">Where the message goes.</param>
    /// <param name="cancellationToken">The command's token: a cancellation counts as Ctrl+C only when it was requested.</param>
    /// <param name="cancelledMessage">The line written on Ctrl+C.</param>
    /// <param name="describe">How a runtime failure is worded (default: its message).</param>
    public static async Task<int> ReportAsync(
        Exception ex,
        TextWriter stderr,
        CancellationToken cancellationToken,
        string cancelledMessage = "cancelled: no output was written",
        Func<Exception, string>? describe = null)
    {
        ArgumentNullException.ThrowIfNull(ex);
        ArgumentNullException.ThrowIfNull(stderr);
        switch (ex)
        {
            case InvalidInputException:
                await stderr.WriteLineAsync($"error: {ex.Message}");
                return ExitCodes.BadInput;
            case JobInputException job:
                await stderr.WriteLineAsync(job.Message.StartsWith(job.Field + ":", StringComparison.Ordinal) ? $"error: {job.Message}" : $"error: {job.Field}: {job.Message}");
                return ExitCodes.BadInput;
            case OperationCanceledException when cancellationToken.IsCancellationRequested:
                await stderr.WriteLineAsync(cancelledMessage);
                return ExitCodes.Cancelled;
            default:
                await stderr.WriteLineAsync($"error: {(describe is null ? ex.Message : describe(ex))}");
                return ExitCodes.Failure;
        }
    }
}
