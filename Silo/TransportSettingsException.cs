namespace Transport.Silo;

/// <summary>
/// A configuration setting that cannot be used. The message starts with the setting's full name
/// (<c>Transport:Clustering: unknown kind 'foo' (expected localhost or redis)</c>) so that one line tells
/// the operator what to fix.
/// </summary>
public sealed class TransportSettingsException : Exception
{
    /// <summary>Creates the exception for <paramref name="setting"/> (e.g. <c>Transport:Redis</c>).</summary>
    public TransportSettingsException(string setting, string problem)
        : base($"{setting}: {problem}")
    {
        Setting = setting;
        Problem = problem;
    }

    /// <summary>Creates the exception for <paramref name="setting"/> with the failure that revealed the problem.</summary>
    public TransportSettingsException(string setting, string problem, Exception innerException)
        : base($"{setting}: {problem}", innerException)
    {
        Setting = setting;
        Problem = problem;
    }

    /// <summary>Creates an exception without a setting (required by serialisation conventions).</summary>
    public TransportSettingsException()
        : this("Transport", "invalid configuration")
    {
    }

    /// <summary>Creates an exception with a message only; the setting is <c>Transport</c>.</summary>
    public TransportSettingsException(string message)
        : this("Transport", message)
    {
    }

    /// <summary>The setting at fault, as written in configuration (<c>Transport:SiloPort</c>).</summary>
    public string Setting { get; }

    /// <summary>What is wrong with it (the message without the setting's name).</summary>
    public string Problem { get; }
}
