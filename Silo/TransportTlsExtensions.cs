using Orleans.Connections.Security;

namespace Transport.Silo;

/// <summary>Mutual TLS on silo and client connections (Microsoft.Orleans.Connections.Security) with <see cref="TransportTlsCredentials"/>.</summary>
public static class TransportTlsExtensions
{
    /// <summary>
    /// Silo-to-silo connections (both ways) and gateway connections are TLS: the silo presents its certificate, asks
    /// every peer for one and accepts only those issued by the cluster's CA; a peer without a certificate, with another
    /// one, or speaking plain TCP is dropped during the handshake.
    /// </summary>
    public static ISiloBuilder UseTransportTls(this ISiloBuilder silo, TransportTlsCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(credentials);
        silo.UseConnectionProbeFilter();
        return silo.UseTls(credentials.Certificate, tls => Mutual(tls, credentials));
    }

    /// <summary>
    /// Gateway connections are TLS: the client presents its certificate and accepts only silos whose certificate is
    /// issued by the cluster's CA.
    /// </summary>
    public static IClientBuilder UseTransportTls(this IClientBuilder client, TransportTlsCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(credentials);
        return client.UseTls(credentials.Certificate, tls => Mutual(tls, credentials));
    }

    /// <summary>
    /// Mutual TLS with the client credentials of <paramref name="options"/> (<see cref="TransportTlsCredentials.LoadForClient"/>),
    /// nothing when TLS is off there; throws <see cref="TransportSettingsException"/> for a certificate that cannot be used.
    /// </summary>
    public static IClientBuilder ApplyTransportTls(this IClientBuilder client, TransportSiloOptions options)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        return TransportTlsCredentials.LoadForClient(options) is { } credentials ? client.UseTransportTls(credentials) : client;
    }

    private static void Mutual(TlsOptions tls, TransportTlsCredentials credentials)
    {
        // The peer must show a certificate (RemoteCertificateMode), and so must this side when it connects out
        // (ClientCertificateMode; Orleans' default would silently send none when the certificate did not fit).
        tls.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        tls.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;

        // The platform's verdict (system roots, host name) is replaced by the cluster CA's.
        tls.RemoteCertificateValidation = (certificate, chain, _) => credentials.Authority.Accepts(certificate, chain);
    }
}
