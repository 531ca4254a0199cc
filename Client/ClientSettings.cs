using Microsoft.Extensions.Configuration;
using Transport.Numerics;
using Transport.Silo;

namespace Transport.Client;

/// <summary>
/// The console's share of the cluster configuration: the same <c>Transport</c> keys as the silos, read from
/// <c>appsettings.json</c> next to the console (not the working directory) and <c>Transport__*</c> environment
/// variables, so that message limits and ids match the silos'. Command-line options win over both.
/// </summary>
internal static class ClientSettings
{
    /// <summary>The default of <c>--cluster-id</c> (and of <c>Transport:ClusterId</c>).</summary>
    public const string DefaultClusterId = "transport";

    /// <summary>The default of <c>--service-id</c> (and of <c>Transport:ServiceId</c>).</summary>
    public const string DefaultServiceId = "transport-distributed";

    /// <summary>Reads and checks the settings; a bad one is an <see cref="InvalidInputException"/> naming it (exit 2).</summary>
    public static TransportSiloOptions Load()
    {
        try
        {
            var configuration = new ConfigurationBuilder()
                .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true, reloadOnChange: false)
                .AddEnvironmentVariables()
                .Build();
            return TransportSettings.Read(configuration);
        }
        catch (TransportSettingsException ex)
        {
            throw new InvalidInputException(ex.Setting, ex.Problem);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidInputException("appsettings.json", ex.Message.ReplaceLineEndings(" "));
        }
    }

    /// <summary>
    /// The console's TLS credentials (<see cref="TransportTlsCredentials.LoadForClient"/>), null when TLS is off; a file that
    /// cannot be used is an <see cref="InvalidInputException"/> naming its setting (exit 2).
    /// </summary>
    public static TransportTlsCredentials? LoadTls(TransportSiloOptions options)
    {
        try
        {
            return TransportTlsCredentials.LoadForClient(options);
        }
        catch (TransportSettingsException ex)
        {
            throw new InvalidInputException(ex.Setting, ex.Problem);
        }
    }

    /// <summary>
    /// The ids, message limits and TLS files a client of <paramref name="cluster"/> uses: the command line's ids unless
    /// they are the defaults, then the configured ones; the configured message limits and TLS settings.
    /// </summary>
    public static TransportSiloOptions ForCluster(ClusterEndpoint cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var settings = Load();
        return new TransportSiloOptions
        {
            ClusterId = cluster.ClusterId == DefaultClusterId ? settings.ClusterId : cluster.ClusterId,
            ServiceId = cluster.ServiceId == DefaultServiceId ? settings.ServiceId : cluster.ServiceId,
            ResponseTimeout = settings.ResponseTimeout,
            MaxMessageBodySize = settings.MaxMessageBodySize,
            TlsCertificate = settings.TlsCertificate,
            TlsCertificatePassword = settings.TlsCertificatePassword,
            TlsCaCertificate = settings.TlsCaCertificate,
        };
    }
}
