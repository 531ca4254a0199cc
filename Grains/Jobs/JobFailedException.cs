namespace Transport.Grains;

/// <summary>The cluster reported that a job failed while running (exit code 1).</summary>
public sealed class JobFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public JobFailedException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public JobFailedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the cause.</summary>
    public JobFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
