namespace Transport.Grains.Interfaces;

/// <summary>
/// Raised by a grain when a job's input is invalid. Crosses the wire intact, so a client can report
/// <see cref="Field"/> and the message and exit with the input-error code.
/// </summary>
[GenerateSerializer]
[Alias("Transport.JobInputException")]
public sealed class JobInputException : Exception
{
    /// <summary>Creates the exception for <paramref name="field"/>.</summary>
    public JobInputException(string field, string message)
        : base(message)
    {
        Field = field;
    }

    /// <summary>Creates an exception without a field.</summary>
    public JobInputException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    public JobInputException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and inner exception.</summary>
    public JobInputException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The offending input, named as the user knows it.</summary>
    [Id(0)]
    public string Field { get; init; } = "input";
}
