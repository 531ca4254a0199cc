using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using Transport.Silo;

namespace Transport.Cluster.Tests;

/// <summary>The TLS keys read in process: pairing rules, and every certificate file problem named by its setting.</summary>
public sealed class TlsSettingsTests : IDisposable
{
    private readonly TestCertificates certificates = new();

    public void Dispose() => certificates.Dispose();

    [Fact]
    public void Tls_is_off_by_default_and_the_three_keys_are_read_as_written()
    {
        var defaults = Read([]);
        Assert.Null(defaults.TlsCertificate);
        Assert.Null(TransportTlsCredentials.LoadForSilo(defaults));
        Assert.Null(TransportTlsCredentials.LoadForClient(defaults));

        var options = Read(new()
        {
            ["Transport:TlsCertificate"] = certificates.NodePfx,
            ["Transport:TlsCertificatePassword"] = " spaced ",
            ["Transport:TlsCaCertificate"] = certificates.CaPem,
        });
        Assert.Equal(certificates.NodePfx, options.TlsCertificate);
        Assert.Equal(" spaced ", options.TlsCertificatePassword);
        Assert.Equal(certificates.CaPem, options.TlsCaCertificate);
    }

    [Theory]
    [InlineData("TlsCertificate", "TlsCaCertificate", "Transport:TlsCaCertificate: required when Transport:TlsCertificate is set")]
    [InlineData("TlsCaCertificate", "TlsCertificate", "Transport:TlsCertificate: required when Transport:TlsCaCertificate is set")]
    [InlineData("TlsCertificatePassword", "TlsCertificate", "Transport:TlsCertificate: required when Transport:TlsCertificatePassword is set")]
    public void A_tls_key_without_its_partner_names_the_missing_one(string key, string missing, string message)
    {
        var ex = Assert.Throws<TransportSettingsException>(() => Read(new() { [$"Transport:{key}"] = "x" }));
        Assert.Equal($"Transport:{missing}", ex.Setting);
        Assert.StartsWith(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_node_certificate_issued_by_the_ca_loads_for_silos_and_clients()
    {
        var silo = TransportTlsCredentials.LoadForSilo(Options(certificates.NodePfx));
        Assert.NotNull(silo);
        Assert.True(silo.Certificate.HasPrivateKey);
        Assert.Equal(certificates.NodeThumbprint, silo.Certificate.Thumbprint);
        Assert.NotNull(TransportTlsCredentials.LoadForClient(Options(certificates.NodePfx)));
        Assert.NotNull(TransportTlsCredentials.LoadForClient(Options(certificates.ClientOnlyPfx)));
    }

    [Fact]
    public void Every_certificate_file_problem_names_its_setting()
    {
        var missing = Path.Combine(certificates.Folder, "missing.pfx");
        Refused("Transport:TlsCertificate", $"file '{missing}' does not exist", Options(missing));
        Refused("Transport:TlsCertificate", "is a folder", Options(certificates.Folder));
        Refused("Transport:TlsCertificatePassword", "cannot open", Options(certificates.NodePfx, password: "wrong"));
        Refused("Transport:TlsCertificatePassword", "is protected by a password", Options(certificates.NodePfx, password: null));
        Refused("Transport:TlsCertificate", "is PEM; expected a PKCS#12 file", Options(certificates.NodePem));
        Refused("Transport:TlsCertificate", "holds no private key", Options(certificates.WithoutKeyPfx));
        Refused("Transport:TlsCertificate", "expired on", Options(certificates.ExpiredPfx));
        Refused("Transport:TlsCertificate", "is not issued by Transport:TlsCaCertificate", Options(certificates.RoguePfx));
        Refused("Transport:TlsCertificate", "does not allow server authentication", Options(certificates.ClientOnlyPfx));
        Refused("Transport:TlsCaCertificate", "does not exist", Options(certificates.NodePfx, ca: Path.Combine(certificates.Folder, "none.pem")));
        Refused("Transport:TlsCaCertificate", "is not a certificate in PEM or DER form", Options(certificates.NodePfx, ca: certificates.NodePfx));
    }

    [Fact]
    public void The_authority_accepts_what_it_issued_and_itself_and_refuses_a_look_alike()
    {
        using var ca = X509CertificateLoader.LoadCertificateFromFile(certificates.CaPem);
        using var node = X509CertificateLoader.LoadCertificateFromFile(certificates.NodePem);
        using var rogue = X509CertificateLoader.LoadCertificateFromFile(certificates.RoguePem);
        var authority = new ClusterCertificateAuthority(ca);
        Assert.True(authority.Accepts(node));
        Assert.True(authority.Accepts(ca));
        Assert.False(authority.Accepts(rogue));
        Assert.NotNull(authority.Problem(rogue));

        // One self-signed certificate shared by every node is its own authority.
        Assert.True(new ClusterCertificateAuthority(rogue).Accepts(rogue));
    }

    private static void Refused(string setting, string problem, TransportSiloOptions options)
    {
        var ex = Assert.Throws<TransportSettingsException>(() => TransportTlsCredentials.LoadForSilo(options));
        Assert.Equal(setting, ex.Setting);
        Assert.Contains(problem, ex.Problem, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
    }

    private TransportSiloOptions Options(string pfx, string? password = TestCertificates.Password, string? ca = null) => new()
    {
        TlsCertificate = pfx,
        TlsCertificatePassword = password,
        TlsCaCertificate = ca ?? certificates.CaPem,
    };

    private static TransportSiloOptions Read(Dictionary<string, string?> values) =>
        TransportSettings.Read(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
}
