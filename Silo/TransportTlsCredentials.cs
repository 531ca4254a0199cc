using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Transport.Silo;

/// <summary>
/// This process's TLS certificate and the cluster's CA, read from <see cref="TransportSiloOptions.TlsCertificate"/>,
/// <see cref="TransportSiloOptions.TlsCertificatePassword"/> and <see cref="TransportSiloOptions.TlsCaCertificate"/>
/// and checked before anything starts: a file that is missing or unreadable, a wrong password, a certificate without
/// its private key, outside its validity period, not allowed for its role or not issued by the CA is a
/// <see cref="TransportSettingsException"/> naming the setting.
/// </summary>
public sealed class TransportTlsCredentials
{
    private const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    private TransportTlsCredentials(X509Certificate2 certificate, ClusterCertificateAuthority authority)
    {
        Certificate = certificate;
        Authority = authority;
    }

    /// <summary>This process's certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The certificate the peers' certificates must be issued by or equal to.</summary>
    public ClusterCertificateAuthority Authority { get; }

    /// <summary>
    /// A silo's credentials (its certificate accepts connections and opens them to other silos, so it must allow
    /// server and client authentication), or null when TLS is off (no <see cref="TransportSiloOptions.TlsCertificate"/>).
    /// </summary>
    public static TransportTlsCredentials? LoadForSilo(TransportSiloOptions options) => Load(options, server: true, DateTimeOffset.UtcNow);

    /// <summary>A client's credentials (client authentication only), or null when TLS is off.</summary>
    public static TransportTlsCredentials? LoadForClient(TransportSiloOptions options) => Load(options, server: false, DateTimeOffset.UtcNow);

    private static TransportTlsCredentials? Load(TransportSiloOptions options, bool server, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.TlsCertificate is null)
        {
            return null;
        }

        var certificateSetting = TransportSettings.Name(nameof(TransportSiloOptions.TlsCertificate));
        var authoritySetting = TransportSettings.Name(nameof(TransportSiloOptions.TlsCaCertificate));
        if (options.TlsCaCertificate is null)
        {
            throw new TransportSettingsException(authoritySetting, $"required when {certificateSetting} is set");
        }

        var certificate = LoadPkcs12(options.TlsCertificate, options.TlsCertificatePassword);
        CheckValidity(certificate, certificateSetting, now);
        CheckUsage(certificate, certificateSetting, server);
        var authority = new ClusterCertificateAuthority(LoadAuthority(options.TlsCaCertificate, authoritySetting));
        CheckValidity(authority.Certificate, authoritySetting, now);

        // A certificate the CA does not vouch for would be refused by every peer: say so now, not at the first connection.
        if (authority.Problem(certificate) is { } problem)
        {
            throw new TransportSettingsException(certificateSetting, $"{Describe(certificate)} is not issued by {authoritySetting} ({Describe(authority.Certificate)}): {problem}");
        }

        return new TransportTlsCredentials(certificate, authority);
    }

    private static X509Certificate2 LoadPkcs12(string path, string? password)
    {
        var setting = TransportSettings.Name(nameof(TransportSiloOptions.TlsCertificate));
        var data = Read(path, setting);
        if (X509Certificate2.GetCertContentType(data) != X509ContentType.Pkcs12)
        {
            throw new TransportSettingsException(setting, IsPem(data)
                ? $"'{path}' is PEM; expected a PKCS#12 file with the certificate and its private key (openssl pkcs12 -export -in cert.pem -inkey key.pem -out cert.pfx)"
                : $"'{path}' is not a PKCS#12 (.pfx) file");
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12(data, password);
        }
        catch (CryptographicException ex)
        {
            // The file is PKCS#12 (checked above), so what fails is opening it: the password.
            var passwordSetting = TransportSettings.Name(nameof(TransportSiloOptions.TlsCertificatePassword));
            throw new TransportSettingsException(passwordSetting, password is null
                ? $"'{path}' is protected by a password; set {passwordSetting}"
                : $"cannot open '{path}' with this password ({ex.Message.TrimEnd('.')})", ex);
        }

        return certificate.HasPrivateKey
            ? certificate
            : throw new TransportSettingsException(setting, $"'{path}' holds no private key for {Describe(certificate)}");
    }

    private static X509Certificate2 LoadAuthority(string path, string setting)
    {
        var data = Read(path, setting);
        try
        {
            return X509CertificateLoader.LoadCertificate(data);
        }
        catch (CryptographicException ex)
        {
            throw new TransportSettingsException(setting, $"'{path}' is not a certificate in PEM or DER form ({ex.Message.TrimEnd('.')})", ex);
        }
    }

    private static byte[] Read(string path, string setting)
    {
        if (Directory.Exists(path))
        {
            throw new TransportSettingsException(setting, $"'{path}' is a folder, expected a file");
        }

        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new TransportSettingsException(setting, $"file '{path}' does not exist", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new TransportSettingsException(setting, $"cannot read '{path}': permission denied", ex);
        }
        catch (IOException ex)
        {
            throw new TransportSettingsException(setting, $"cannot read '{path}': {ex.Message}", ex);
        }
    }

    private static void CheckValidity(X509Certificate2 certificate, string setting, DateTimeOffset now)
    {
        if (now < certificate.NotBefore.ToUniversalTime())
        {
            throw new TransportSettingsException(setting, $"{Describe(certificate)} is not valid before {Utc(certificate.NotBefore)}");
        }

        if (now > certificate.NotAfter.ToUniversalTime())
        {
            throw new TransportSettingsException(setting, $"{Describe(certificate)} expired on {Utc(certificate.NotAfter)}");
        }
    }

    /// <summary>
    /// TLS refuses a certificate whose Extended Key Usage leaves out the role it is used in (a certificate without the
    /// extension may be used for any): a silo both accepts and opens connections, a console only opens them.
    /// </summary>
    private static void CheckUsage(X509Certificate2 certificate, string setting, bool server)
    {
        if (certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault() is not { } usage)
        {
            return;
        }

        var usages = usage.EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value).ToHashSet(StringComparer.Ordinal);
        if (server && !usages.Contains(ServerAuthentication))
        {
            throw new TransportSettingsException(setting, $"{Describe(certificate)} does not allow server authentication, which a silo needs (Extended Key Usage {ServerAuthentication})");
        }

        if (!usages.Contains(ClientAuthentication))
        {
            throw new TransportSettingsException(setting, $"{Describe(certificate)} does not allow client authentication, which {(server ? "a silo connecting to another silo" : "a client")} needs (Extended Key Usage {ClientAuthentication})");
        }
    }

    private static bool IsPem(byte[] data) => System.Text.Encoding.ASCII.GetString(data, 0, Math.Min(data.Length, 4096)).Contains("-----BEGIN ", StringComparison.Ordinal);

    private static string Describe(X509Certificate2 certificate) => $"the certificate '{certificate.Subject}'";

    private static string Utc(DateTime time) => time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
