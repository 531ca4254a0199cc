using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Transport.Numerics;
using Transport.Silo;

namespace Transport.Client;

/// <summary>
/// Finds out whether TLS is why a gateway closed the console's connections, with one TLS handshake of its own: a
/// gateway that requires TLS while the console has no certificate, one that does not speak TLS while the console does,
/// one whose certificate the console's CA did not issue, and one that refuses the console's certificate. Orleans only
/// sees a connection closed during its handshake in every case (as for a foreign cluster id), and retries it.
/// </summary>
internal static class GatewayTlsCheck
{
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(5);

    // A gateway judges the client's certificate after the client's last handshake message (TLS 1.3): its refusal is
    // the first thing it sends afterwards, while one that accepted waits for the Orleans preamble and sends nothing.
    private static readonly TimeSpan VerdictTimeout = TimeSpan.FromSeconds(3);

    /// <summary>
    /// The configuration error (exit 2, naming the TLS setting to fix) that explains why <paramref name="gateway"/> of
    /// <paramref name="cluster"/> closes this console's connections, or null when TLS is not the reason.
    /// </summary>
    public static async Task<InvalidInputException?> ExplainAsync(IPEndPoint gateway, ClusterEndpoint cluster, TransportTlsCredentials? credentials, CancellationToken cancellationToken)
    {
        var handshake = await HandshakeAsync(gateway, credentials, cancellationToken);
        var certificateSetting = TransportSettings.Name(nameof(TransportSiloOptions.TlsCertificate));
        var authoritySetting = TransportSettings.Name(nameof(TransportSiloOptions.TlsCaCertificate));
        if (handshake.Presented is null)
        {
            return credentials is null
                ? null
                : new InvalidInputException(certificateSetting, $"the gateways at {cluster} do not use TLS (no certificate in the handshake), but this console is set up for it: configure TLS on the silos or remove the TLS settings here");
        }

        if (credentials is null)
        {
            return new InvalidInputException(certificateSetting, $"the gateways at {cluster} require TLS with a client certificate issued by the cluster's CA, and this console has none: set {certificateSetting} and {authoritySetting}");
        }

        if (handshake.AuthorityProblem is { } problem)
        {
            return new InvalidInputException(authoritySetting, $"the gateways at {cluster} present the certificate '{handshake.Presented}', which '{credentials.Authority.Certificate.Subject}' did not issue ({problem})");
        }

        return handshake.Refused
            ? new InvalidInputException(certificateSetting, $"the gateways at {cluster} refused this console's certificate '{credentials.Certificate.Subject}': it is not issued by the CA they trust")
            : null;
    }

    private static async Task<Handshake> HandshakeAsync(IPEndPoint gateway, TransportTlsCredentials? credentials, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(HandshakeTimeout);
        using var tcp = new TcpClient(gateway.AddressFamily);
        string? presented = null;
        string? authorityProblem = null;
        try
        {
            await tcp.ConnectAsync(gateway, timeout.Token);
            await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
            var options = new SslClientAuthenticationOptions
            {
                TargetHost = gateway.Address.ToString(),
                ClientCertificates = credentials is null ? null : [credentials.Certificate],
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                RemoteCertificateValidationCallback = (_, certificate, chain, _) =>
                {
                    if (certificate is not null)
                    {
                        using var copy = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                        presented = copy.Subject;
                        authorityProblem = credentials?.Authority.Problem(copy, chain);
                    }

                    // Seen what was needed when the console has no certificate to show or the gateway's is not trusted; the
                    // handshake goes on only to learn the gateway's verdict on this console's certificate.
                    return presented is not null && credentials is not null && authorityProblem is null;
                },
            };
            await tls.AuthenticateAsClientAsync(options, timeout.Token);
            return new Handshake(presented, authorityProblem, await RefusedAfterHandshakeAsync(tls, cancellationToken));
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or SocketException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // A gateway that sent its certificate and then broke the handshake off refused this console's one.
            return new Handshake(presented, authorityProblem, Refused: presented is not null);
        }
    }

    private static async Task<bool> RefusedAfterHandshakeAsync(SslStream tls, CancellationToken cancellationToken)
    {
        using var verdict = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        verdict.CancelAfter(VerdictTimeout);
        try
        {
            return await tls.ReadAsync(new byte[1], verdict.Token) == 0;
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException)
        {
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private sealed record Handshake(string? Presented, string? AuthorityProblem, bool Refused);
}
