namespace Transport.Numerics;

/// <summary>
/// Raised when user-supplied data or options are invalid. <see cref="Field"/> names the offending
/// input (for example <c>source</c>, <c>target-weights</c>, <c>epsilon</c>) so that a console or a
/// remote caller can report it; the message names both the field and the value.
/// </summary>
public sealed class InvalidInputException : ArgumentException
{
    /// <summary>Creates the exception for <paramref name="field"/> with a message that names it.</summary>
    public InvalidInputException(string field, string message)
        : base($"{field}: {message}")
    {
        Field = field;
    }

    /// <summary>Creates an exception without a field (required by serialisation conventions).</summary>
    public InvalidInputException()
        : this("input", "invalid input")
    {
    }

    /// <summary>Creates an exception with a message only; the field is <c>input</c>.</summary>
    public InvalidInputException(string message)
        : this("input", message)
    {
    }

    /// <summary>Creates an exception wrapping an inner exception; the field is <c>input</c>.</summary>
    public InvalidInputException(string message, Exception innerException)
        : base($"input: {message}", innerException)
    {
        Field = "input";
    }

    /// <summary>The name of the invalid input, as the user knows it (a CLI option or a JSON field).</summary>
    public string Field { get; } = "input";
}
