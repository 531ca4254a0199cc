using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;

namespace Transport.Silo;

/// <summary>
/// Reads the <c>Transport</c> configuration section (appsettings.json, <c>Transport__*</c> environment variables,
/// <c>--Transport:*</c> arguments) into <see cref="TransportSiloOptions"/>, checking every value on the way: a bad
/// value, an unknown kind or an unknown key is a <see cref="TransportSettingsException"/> naming the setting.
/// Silos and clients read the same keys, so message limits and ids are identical on both sides.
/// </summary>
public static class TransportSettings
{
    private static readonly string[] Keys =
    [
        nameof(TransportSiloOptions.Clustering), nameof(TransportSiloOptions.Storage), nameof(TransportSiloOptions.Redis),
        nameof(TransportSiloOptions.ClusterId), nameof(TransportSiloOptions.ServiceId), nameof(TransportSiloOptions.SiloPort),
        nameof(TransportSiloOptions.GatewayPort), nameof(TransportSiloOptions.PrimarySiloPort), nameof(TransportSiloOptions.AdvertisedAddress),
        nameof(TransportSiloOptions.ListenOnAnyAddress), nameof(TransportSiloOptions.ResponseTimeout), nameof(TransportSiloOptions.MaxMessageBodySize),
        nameof(TransportSiloOptions.ProbeTimeout), nameof(TransportSiloOptions.MissedProbes), nameof(TransportSiloOptions.CheckpointInterval), nameof(TransportSiloOptions.CheckpointEvery), nameof(TransportSiloOptions.Telemetry),
        nameof(TransportSiloOptions.OtlpEndpoint), nameof(TransportSiloOptions.DashboardPort), nameof(TransportSiloOptions.DashboardAddress),
        nameof(TransportSiloOptions.JobRetention), nameof(TransportSiloOptions.MaxPointsPerJob), nameof(TransportSiloOptions.MaxPointsPerShard),
        nameof(TransportSiloOptions.MaxDimension), nameof(TransportSiloOptions.MaxConcurrentJobs), nameof(TransportSiloOptions.MaxJobMemory),
        nameof(TransportSiloOptions.UploadLease), nameof(TransportSiloOptions.InstallChunkBytes),
        nameof(TransportSiloOptions.TlsCertificate), nameof(TransportSiloOptions.TlsCertificatePassword), nameof(TransportSiloOptions.TlsCaCertificate),
    ];

    /// <summary>Reads and checks the <c>Transport</c> section of <paramref name="configuration"/>; absent keys keep their defaults.</summary>
    public static TransportSiloOptions Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(TransportSiloOptions.Section);
        foreach (var child in section.GetChildren())
        {
            if (!Keys.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                throw new TransportSettingsException(Name(child.Key), $"unknown setting (known: {string.Join(", ", Keys)})");
            }
        }

        var defaults = new TransportSiloOptions();
        var options = new TransportSiloOptions
        {
            Clustering = Kind(section, nameof(TransportSiloOptions.Clustering), defaults.Clustering, "localhost", "redis"),
            Storage = Kind(section, nameof(TransportSiloOptions.Storage), defaults.Storage, "memory", "redis"),
            Telemetry = Kind(section, nameof(TransportSiloOptions.Telemetry), defaults.Telemetry, "none", "console", "otlp"),
            Redis = Text(section, nameof(TransportSiloOptions.Redis)),
            ClusterId = Id(section, nameof(TransportSiloOptions.ClusterId), defaults.ClusterId),
            ServiceId = Id(section, nameof(TransportSiloOptions.ServiceId), defaults.ServiceId),
            SiloPort = Port(section, nameof(TransportSiloOptions.SiloPort), defaults.SiloPort),
            GatewayPort = Port(section, nameof(TransportSiloOptions.GatewayPort), defaults.GatewayPort),
            PrimarySiloPort = Port(section, nameof(TransportSiloOptions.PrimarySiloPort), defaults.PrimarySiloPort),
            AdvertisedAddress = Text(section, nameof(TransportSiloOptions.AdvertisedAddress)),
            ListenOnAnyAddress = Flag(section, nameof(TransportSiloOptions.ListenOnAnyAddress), defaults.ListenOnAnyAddress),
            ResponseTimeout = Duration(section, nameof(TransportSiloOptions.ResponseTimeout), defaults.ResponseTimeout),
            MaxMessageBodySize = Integer(section, nameof(TransportSiloOptions.MaxMessageBodySize), defaults.MaxMessageBodySize, 64 * 1024),
            ProbeTimeout = Duration(section, nameof(TransportSiloOptions.ProbeTimeout), defaults.ProbeTimeout),
            CheckpointInterval = Duration(section, nameof(TransportSiloOptions.CheckpointInterval), defaults.CheckpointInterval),
            CheckpointEvery = Integer(section, nameof(TransportSiloOptions.CheckpointEvery), defaults.CheckpointEvery, 0),
            MissedProbes = Integer(section, nameof(TransportSiloOptions.MissedProbes), defaults.MissedProbes, 1),
            OtlpEndpoint = Endpoint(section, nameof(TransportSiloOptions.OtlpEndpoint), defaults.OtlpEndpoint),
            DashboardPort = Raw(section, nameof(TransportSiloOptions.DashboardPort)) == "0" ? 0 : Port(section, nameof(TransportSiloOptions.DashboardPort), defaults.DashboardPort),
            DashboardAddress = Text(section, nameof(TransportSiloOptions.DashboardAddress)) ?? defaults.DashboardAddress,
            JobRetention = Duration(section, nameof(TransportSiloOptions.JobRetention), defaults.JobRetention),
            MaxPointsPerJob = Long(section, nameof(TransportSiloOptions.MaxPointsPerJob), defaults.MaxPointsPerJob),
            MaxPointsPerShard = Long(section, nameof(TransportSiloOptions.MaxPointsPerShard), defaults.MaxPointsPerShard),
            MaxDimension = Integer(section, nameof(TransportSiloOptions.MaxDimension), defaults.MaxDimension, 1),
            MaxConcurrentJobs = Integer(section, nameof(TransportSiloOptions.MaxConcurrentJobs), defaults.MaxConcurrentJobs, 1),
            MaxJobMemory = Long(section, nameof(TransportSiloOptions.MaxJobMemory), defaults.MaxJobMemory),
            UploadLease = Duration(section, nameof(TransportSiloOptions.UploadLease), defaults.UploadLease),
            InstallChunkBytes = ChunkBytes(section, nameof(TransportSiloOptions.InstallChunkBytes), defaults.InstallChunkBytes),
            TlsCertificate = Text(section, nameof(TransportSiloOptions.TlsCertificate)),
            TlsCaCertificate = Text(section, nameof(TransportSiloOptions.TlsCaCertificate)),

            // Taken as written: spaces may be part of a password.
            TlsCertificatePassword = section[nameof(TransportSiloOptions.TlsCertificatePassword)] is { Length: > 0 } password ? password : null,
        };
        Check(options);
        return options;
    }

    /// <summary>
    /// The cross-setting rules (also for options built in code): Redis named when a Redis kind is chosen, distinct
    /// silo and gateway ports, TLS certificate and CA certificate set together, an advertised address that is an
    /// address or a resolvable host name. The TLS files themselves are read by <see cref="TransportTlsCredentials"/>.
    /// </summary>
    public static void Check(TransportSiloOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Clustering is not ("localhost" or "redis"))
        {
            throw new TransportSettingsException(Name(nameof(TransportSiloOptions.Clustering)), $"unknown kind '{options.Clustering}' (expected localhost or redis)");
        }

        if (options.Storage is not ("memory" or "redis"))
        {
            throw new TransportSettingsException(Name(nameof(TransportSiloOptions.Storage)), $"unknown kind '{options.Storage}' (expected memory or redis)");
        }

        if (options.Redis is null && (options.Clustering == "redis" || options.Storage == "redis"))
        {
            var which = options.Clustering == "redis" ? nameof(TransportSiloOptions.Clustering) : nameof(TransportSiloOptions.Storage);
            throw new TransportSettingsException(Name(nameof(TransportSiloOptions.Redis)), $"required when {Name(which)} is redis (e.g. localhost:6379)");
        }

        if (options.SiloPort == options.GatewayPort)
        {
            throw new TransportSettingsException(Name(nameof(TransportSiloOptions.GatewayPort)), $"{options.GatewayPort} is also {Name(nameof(TransportSiloOptions.SiloPort))}; the two ports must differ");
        }

        if (options.DashboardPort != 0 && (options.DashboardPort == options.SiloPort || options.DashboardPort == options.GatewayPort))
        {
            throw new TransportSettingsException(Name(nameof(TransportSiloOptions.DashboardPort)), $"{options.DashboardPort} is also the silo or gateway port; the ports must differ");
        }

        if (!IPAddress.TryParse(options.DashboardAddress, out _))
        {
            throw new TransportSettingsException(Name(nameof(TransportSiloOptions.DashboardAddress)), $"must be an IP address (127.0.0.1, 0.0.0.0), got '{options.DashboardAddress}'");
        }

        CheckTlsPairing(options);
        _ = ResolveAdvertisedAddress(options);
    }

    /// <summary>
    /// TLS is mutual or off: a certificate without the CA that checks the peers (or the reverse) would either accept
    /// anyone or present nothing, so each needs the other; a password alone is a leftover of a removed certificate.
    /// </summary>
    private static void CheckTlsPairing(TransportSiloOptions options)
    {
        if (options.TlsCertificate is not null && options.TlsCaCertificate is null)
        {
            throw new TransportSettingsException(Name(nameof(TransportSiloOptions.TlsCaCertificate)), $"required when {Name(nameof(TransportSiloOptions.TlsCertificate))} is set (the CA certificate the peers' certificates must be issued by)");
        }

        if (options.TlsCertificate is null && (options.TlsCaCertificate is not null || options.TlsCertificatePassword is not null))
        {
            var which = options.TlsCaCertificate is not null ? nameof(TransportSiloOptions.TlsCaCertificate) : nameof(TransportSiloOptions.TlsCertificatePassword);
            throw new TransportSettingsException(Name(nameof(TransportSiloOptions.TlsCertificate)), $"required when {Name(which)} is set (a PKCS#12 file with this process's certificate and private key)");
        }
    }

    /// <summary>
    /// The address the silo advertises: <see cref="TransportSiloOptions.AdvertisedAddress"/> (an IP address or a host
    /// name, resolved, IPv4 preferred), else loopback for <c>localhost</c> clustering, else null (Orleans picks one).
    /// </summary>
    public static IPAddress? ResolveAdvertisedAddress(TransportSiloOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var text = options.AdvertisedAddress;
        if (text is null)
        {
            return options.Clustering == "localhost" ? IPAddress.Loopback : null;
        }

        if (IPAddress.TryParse(text, out var address))
        {
            if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.None))
            {
                throw new TransportSettingsException(Name(nameof(TransportSiloOptions.AdvertisedAddress)), $"'{text}' cannot be advertised; name this host's address (use {Name(nameof(TransportSiloOptions.ListenOnAnyAddress))} to listen on all interfaces)");
            }

            return address;
        }

        try
        {
            var addresses = Dns.GetHostAddresses(text);
            return addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault()
                ?? throw new TransportSettingsException(Name(nameof(TransportSiloOptions.AdvertisedAddress)), $"host '{text}' has no address");
        }
        catch (SocketException ex)
        {
            throw new TransportSettingsException(Name(nameof(TransportSiloOptions.AdvertisedAddress)), $"cannot resolve host '{text}': {ex.Message}", ex);
        }
    }

    /// <summary>The full name of a setting: <c>Transport:KEY</c>.</summary>
    public static string Name(string key) => $"{TransportSiloOptions.Section}:{key}";

    private static string? Raw(IConfigurationSection section, string key)
    {
        var value = section[key];
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    private static string? Text(IConfigurationSection section, string key) => Raw(section, key);

    private static string Kind(IConfigurationSection section, string key, string fallback, params string[] kinds)
    {
        var value = Raw(section, key);
        if (value is null)
        {
            return fallback;
        }

        var kind = kinds.FirstOrDefault(k => string.Equals(k, value, StringComparison.OrdinalIgnoreCase));
        return kind ?? throw new TransportSettingsException(Name(key), $"unknown kind '{value}' (expected {Expected(kinds)})");
    }

    private static string Expected(string[] kinds) => kinds.Length == 2 ? $"{kinds[0]} or {kinds[1]}" : $"{string.Join(", ", kinds[..^1])} or {kinds[^1]}";

    private static string Id(IConfigurationSection section, string key, string fallback)
    {
        var value = Raw(section, key);
        if (value is null)
        {
            return fallback;
        }

        // The Redis membership key is SERVICE/members/CLUSTER: a slash would make two ids read as one.
        return value.Contains('/', StringComparison.Ordinal)
            ? throw new TransportSettingsException(Name(key), $"'{value}' must not contain '/'")
            : value;
    }

    private static int Port(IConfigurationSection section, string key, int fallback)
    {
        var value = Raw(section, key);
        if (value is null)
        {
            return fallback;
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535
            ? port
            : throw new TransportSettingsException(Name(key), $"port must be an integer in 1..65535, got '{value}'");
    }

    /// <summary>A message chunk in bytes: 1024 up to the largest block (<see cref="Grains.Interfaces.FloatBlock.MaxBytes"/>).</summary>
    private static int ChunkBytes(IConfigurationSection section, string key, int fallback)
    {
        var bytes = Integer(section, key, fallback, 1024);
        return bytes <= Grains.Interfaces.FloatBlock.MaxBytes
            ? bytes
            : throw new TransportSettingsException(Name(key), $"must be at most {Grains.Interfaces.FloatBlock.MaxBytes.ToString(CultureInfo.InvariantCulture)} bytes, got {bytes.ToString(CultureInfo.InvariantCulture)}");
    }

    private static int Integer(IConfigurationSection section, string key, int fallback, int minimum)
    {
        var value = Raw(section, key);
        if (value is null)
        {
            return fallback;
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= minimum
            ? number
            : throw new TransportSettingsException(Name(key), $"must be an integer >= {minimum.ToString(CultureInfo.InvariantCulture)}, got '{value}'");
    }

    private static long Long(IConfigurationSection section, string key, long fallback)
    {
        var value = Raw(section, key);
        if (value is null)
        {
            return fallback;
        }

        return long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= 1
            ? number
            : throw new TransportSettingsException(Name(key), $"must be an integer >= 1, got '{value}'");
    }

    private static bool Flag(IConfigurationSection section, string key, bool fallback)
    {
        var value = Raw(section, key);
        if (value is null)
        {
            return fallback;
        }

        return bool.TryParse(value, out var flag) ? flag : throw new TransportSettingsException(Name(key), $"must be true or false, got '{value}'");
    }

    private static TimeSpan Duration(IConfigurationSection section, string key, TimeSpan fallback)
    {
        var value = Raw(section, key);
        if (value is null)
        {
            return fallback;
        }

        // Plain seconds ("30", "0.5") or a TimeSpan ("00:10:00").
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds) && seconds > 0 && seconds <= TimeSpan.MaxValue.TotalSeconds / 2)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        if (TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var span) && span > TimeSpan.Zero)
        {
            return span;
        }

        throw new TransportSettingsException(Name(key), $"must be a positive duration in seconds (30) or as hh:mm:ss (00:10:00), got '{value}'");
    }

    private static Uri Endpoint(IConfigurationSection section, string key, Uri fallback)
    {
        var value = Raw(section, key);
        if (value is null)
        {
            return fallback;
        }

        return Uri.TryCreate(value, UriKind.Absolute, out var uri) ? uri : throw new TransportSettingsException(Name(key), $"must be an absolute URI, got '{value}'");
    }
}
