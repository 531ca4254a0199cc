using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Transport.Cluster.Tests;

/// <summary>
/// Certificates made by the tests themselves (CertificateRequest, P-256 keys) and written to a temporary folder: a
/// self-signed CA, a node certificate it issued (server and client authentication, for silos and consoles alike), a
/// client-only certificate it issued, an expired one it issued, a rogue self-signed certificate with the node's
/// subject, and a PKCS#12 file holding a certificate without its key.
/// </summary>
internal sealed class TestCertificates : IDisposable
{
    public const string Password = "test-password";

    private const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    public TestCertificates()
    {
        Folder = Path.Combine(Path.GetTempPath(), $"transport-tls-tests-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Folder);
        var now = DateTimeOffset.UtcNow;
        using var authority = Authority(now);
        File.WriteAllText(CaPem, authority.ExportCertificatePem());
        using var node = Leaf("CN=transport-node", authority, now.AddDays(-1), now.AddYears(1), ServerAuthentication, ClientAuthentication);
        File.WriteAllBytes(NodePfx, node.Export(X509ContentType.Pkcs12, Password));
        File.WriteAllText(NodePem, node.ExportCertificatePem());
        NodeThumbprint = node.Thumbprint;
        using var client = Leaf("CN=transport-console", authority, now.AddDays(-1), now.AddYears(1), ClientAuthentication);
        File.WriteAllBytes(ClientOnlyPfx, client.Export(X509ContentType.Pkcs12, Password));
        using var expired = Leaf("CN=transport-expired", authority, now.AddDays(-30), now.AddDays(-1), ServerAuthentication, ClientAuthentication);
        File.WriteAllBytes(ExpiredPfx, expired.Export(X509ContentType.Pkcs12, Password));
        using var rogue = Leaf("CN=transport-node", issuer: null, now.AddDays(-1), now.AddYears(1), ServerAuthentication, ClientAuthentication);
        File.WriteAllBytes(RoguePfx, rogue.Export(X509ContentType.Pkcs12, Password));
        File.WriteAllText(RoguePem, rogue.ExportCertificatePem());
        using var withoutKey = X509CertificateLoader.LoadCertificate(node.RawData);
        File.WriteAllBytes(WithoutKeyPfx, withoutKey.Export(X509ContentType.Pkcs12, Password));
    }

    public string Folder { get; }

    /// <summary>The CA certificate (PEM), for <c>Transport:TlsCaCertificate</c>.</summary>
    public string CaPem => Path.Combine(Folder, "ca.pem");

    /// <summary>The node certificate with its key (PKCS#12, <see cref="Password"/>).</summary>
    public string NodePfx => Path.Combine(Folder, "node.pfx");

    /// <summary>The node certificate alone (PEM): not a usable <c>Transport:TlsCertificate</c>.</summary>
    public string NodePem => Path.Combine(Folder, "node.pem");

    public string NodeThumbprint { get; }

    /// <summary>Issued by the CA for client authentication only (a console may use it, a silo may not).</summary>
    public string ClientOnlyPfx => Path.Combine(Folder, "client.pfx");

    /// <summary>Issued by the CA, expired yesterday.</summary>
    public string ExpiredPfx => Path.Combine(Folder, "expired.pfx");

    /// <summary>Self-signed with the node's subject: what someone without the CA's key can make.</summary>
    public string RoguePfx => Path.Combine(Folder, "rogue.pfx");

    /// <summary>The rogue certificate (PEM), as the CA of a console that trusts only itself.</summary>
    public string RoguePem => Path.Combine(Folder, "rogue.pem");

    /// <summary>A PKCS#12 file with the node certificate but no private key.</summary>
    public string WithoutKeyPfx => Path.Combine(Folder, "without-key.pfx");

    /// <summary>The <c>Transport__*</c> variables of a console using <paramref name="pfx"/> and trusting <paramref name="ca"/>.</summary>
    public static Dictionary<string, string> Environment(string pfx, string ca) => new()
    {
        ["Transport__TlsCertificate"] = pfx,
        ["Transport__TlsCertificatePassword"] = Password,
        ["Transport__TlsCaCertificate"] = ca,
    };

    /// <summary>The <c>--Transport:*</c> arguments of a silo using <paramref name="pfx"/> and trusting <paramref name="ca"/>.</summary>
    public static string[] SiloArguments(string pfx, string ca) =>
        [$"--Transport:TlsCertificate={pfx}", $"--Transport:TlsCertificatePassword={Password}", $"--Transport:TlsCaCertificate={ca}"];

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // Temporary folder: leaving it behind is harmless.
        }
    }

    // The keys are not disposed here: the certificates returned hold on to them.
    private static X509Certificate2 Authority(DateTimeOffset now)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Transport Test CA", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));

        // Older than every certificate it issues (the expired one included).
        return request.CreateSelfSigned(now.AddDays(-60), now.AddYears(2));
    }

    private static X509Certificate2 Leaf(string subject, X509Certificate2? issuer, DateTimeOffset notBefore, DateTimeOffset notAfter, params string[] usages)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        var oids = new OidCollection();
        foreach (var usage in usages)
        {
            oids.Add(new Oid(usage));
        }

        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(oids, critical: false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        if (issuer is null)
        {
            return request.CreateSelfSigned(notBefore, notAfter);
        }

        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        using var issued = request.Create(issuer, notBefore, notAfter, RandomNumberGenerator.GetBytes(12));
        return issued.CopyWithPrivateKey(key);
    }
}
