namespace Transport.Client;

/// <summary>Process exit codes of the <c>transport</c> console; scripts depend on them.</summary>
public static class ExitCodes
{
    /// <summary>The command succeeded (including a run that stopped at --max-iterations without converging).</summary>
    public const int Success = 0;

    /// <summary>A failure while running (the cluster, the job, or writing the outputs).</summary>
    public const int Failure = 1;

    /// <summary>Bad input or usage: nothing was started and nothing was written.</summary>
    public const int BadInput = 2;

    /// <summary>Cancelled by the user (Ctrl+C, SIGINT): the job was cancelled and nothing was written.</summary>
    public const int Cancelled = 130;

    /// <summary>Stopped by SIGTERM (128 + 15): as <see cref="Cancelled"/>, the job was cancelled and nothing was written.</summary>
    public const int Terminated = 143;
}
