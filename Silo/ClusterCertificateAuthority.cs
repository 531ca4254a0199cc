using System.Security.Cryptography.X509Certificates;

namespace Transport.Silo;

/// <summary>
/// The certificate that every peer of a TLS cluster must be issued by or equal to (<see cref="TransportSiloOptions.TlsCaCertificate"/>).
/// Peers are judged by this certificate alone, never by the machine's trusted roots: a certificate from a public CA
/// is no ticket into the cluster.
/// </summary>
public sealed class ClusterCertificateAuthority
{
    /// <summary>Trusts certificates issued by (or equal to) <paramref name="certificate"/>.</summary>
    public ClusterCertificateAuthority(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        Certificate = certificate;
    }

    /// <summary>The trusted certificate.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>
    /// Whether <paramref name="peer"/> is accepted: it chains to <see cref="Certificate"/> (with the intermediates of
    /// <paramref name="presented"/>, the chain the peer sent, if any) and every certificate on the way is within its
    /// validity period. Revocation is not checked, nor the host name: silos are reached by address, and the CA is the
    /// cluster's own.
    /// </summary>
    public bool Accepts(X509Certificate2 peer, X509Chain? presented = null) => Problem(peer, presented) is null;

    /// <summary>Why <paramref name="peer"/> is refused, in a few words; null when it is accepted.</summary>
    public string? Problem(X509Certificate2 peer, X509Chain? presented = null)
    {
        ArgumentNullException.ThrowIfNull(peer);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Certificate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;

        // Everything needed is in hand: a peer that relies on fetching intermediates over the network is refused.
        chain.ChainPolicy.DisableCertificateDownloads = true;
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        if (chain.Build(peer))
        {
            return null;
        }

        var reasons = chain.ChainStatus.Select(s => s.StatusInformation.Trim().TrimEnd('.')).Where(s => s.Length > 0).Distinct().ToArray();
        return reasons.Length == 0 ? "its chain does not lead to the trusted certificate" : string.Join("; ", reasons);
    }
}
