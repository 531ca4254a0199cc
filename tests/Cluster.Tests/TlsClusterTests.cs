using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Transport.Cluster.Tests;

/// <summary>
/// Two silo processes with mutual TLS (<see cref="TlsClusterFixture"/>): a console with a certificate issued by the
/// cluster's CA runs jobs; one without a certificate, or with one the CA did not issue, is refused in one line naming
/// the setting (exit 2) and writes nothing; the silos drop such connections on both their ports.
/// </summary>
[Collection(TlsCluster.Name)]
public sealed class TlsClusterTests(TlsClusterFixture cluster) : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);
    private readonly Jobs jobs = new();

    public void Dispose() => jobs.Dispose();

    [Fact]
    public async Task A_console_with_a_certificate_from_the_cluster_ca_runs_a_job_through_redis_and_static_gateways()
    {
        var embedded = await jobs.EmbeddedAsync();
        var certificates = cluster.Certificates;

        var redis = await ConsoleAsync(cluster.Redis.Url, jobs.Out("redis"), TestCertificates.Environment(certificates.NodePfx, certificates.CaPem));
        Assert.True(redis.ExitCode == 0, redis.ToString());
        Jobs.AssertSameResult(embedded, jobs.Out("redis"));

        // A certificate for client authentication only is enough for a console.
        var gateways = string.Join(",", cluster.Live.Select(s => s.Gateway));
        var client = await ConsoleAsync(gateways, jobs.Out("static"), TestCertificates.Environment(certificates.ClientOnlyPfx, certificates.CaPem));
        Assert.True(client.ExitCode == 0, client.ToString());
        Jobs.AssertSameResult(embedded, jobs.Out("static"));
    }

    [Fact]
    public async Task A_console_without_a_certificate_is_refused_in_one_line_naming_the_setting()
    {
        foreach (var target in new[] { cluster.Redis.Url, cluster.Live[0].Gateway })
        {
            var run = await ConsoleAsync(target, jobs.Out("plain"), environment: null);
            ProcessAssert.OneLine(run, 2, "error: Transport:TlsCertificate: ");
            Assert.Contains("require TLS", run.Stderr, StringComparison.Ordinal);
            Assert.False(Directory.Exists(jobs.Out("plain")), "a refused run wrote output");
        }
    }

    [Fact]
    public async Task A_console_with_a_certificate_the_cluster_ca_did_not_issue_is_refused_in_one_line()
    {
        var certificates = cluster.Certificates;

        // Trusting the cluster's CA, the console sees at once that its own certificate would be refused.
        var checkedHere = await ConsoleAsync(cluster.Redis.Url, jobs.Out("rogue"), TestCertificates.Environment(certificates.RoguePfx, certificates.CaPem));
        ProcessAssert.OneLine(checkedHere, 2, "error: Transport:TlsCertificate: ");
        Assert.Contains("is not issued by Transport:TlsCaCertificate", checkedHere.Stderr, StringComparison.Ordinal);

        // Trusting only itself, it gets as far as the handshake, where the two sides refuse each other.
        var selfTrusting = await ConsoleAsync(cluster.Live[0].Gateway, jobs.Out("rogue"), TestCertificates.Environment(certificates.RoguePfx, certificates.RoguePem));
        ProcessAssert.OneLine(selfTrusting, 2, "error: Transport:TlsCaCertificate: ");
        Assert.Contains("did not issue", selfTrusting.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(jobs.Out("rogue")), "a refused run wrote output");
    }

    [Fact]
    public async Task Silos_speak_tls_on_both_ports_and_drop_peers_without_a_certificate_from_their_ca()
    {
        using var rogue = X509CertificateLoader.LoadPkcs12FromFile(cluster.Certificates.RoguePfx, TestCertificates.Password);
        var silo = cluster.Live[0];
        foreach (var port in new[] { silo.SiloPort, silo.GatewayPort })
        {
            foreach (var certificate in new[] { null, rogue })
            {
                var (presented, dropped) = await HandshakeAsync(port, certificate);
                Assert.Equal(cluster.Certificates.NodeThumbprint, presented);
                Assert.True(dropped, $"port {port} kept a connection with {(certificate is null ? "no certificate" : "the rogue certificate")}");
            }

            Assert.True(await PlainConnectionDroppedAsync(port), $"port {port} kept a plain TCP connection");
        }
    }

    private async Task<ProcessRun> ConsoleAsync(string target, string output, IReadOnlyDictionary<string, string>? environment) =>
        await ChildProcess.RunAsync(Machine.Dotnet, [Machine.ClientDll, .. jobs.Arguments(output), "--cluster", target, "--cluster-id", cluster.ClusterId], Limit, environment);

    /// <summary>
    /// A TLS handshake presenting <paramref name="certificate"/> (or none): the certificate the silo showed, and whether
    /// it then closed the connection. A silo that kept it would leave the read waiting: the guard fails the test then.
    /// </summary>
    private static async Task<(string? Presented, bool Dropped)> HandshakeAsync(int port, X509Certificate2? certificate)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port, guard.Token);
        await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
        string? presented = null;
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            ClientCertificates = certificate is null ? null : [certificate],
            RemoteCertificateValidationCallback = (_, remote, _, _) =>
            {
                presented = remote?.GetCertHashString();
                return presented is not null;
            },
        };
        try
        {
            await tls.AuthenticateAsClientAsync(options, guard.Token);

            // TLS 1.3: the silo judges the client's certificate after the client's handshake is complete, then closes.
            return (presented, await tls.ReadAsync(new byte[1], guard.Token) == 0);
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException)
        {
            return (presented, true);
        }
    }

    private static async Task<bool> PlainConnectionDroppedAsync(int port)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port, guard.Token);
        var stream = tcp.GetStream();
        try
        {
            // Not a TLS record: what a plain Orleans peer would start with (a length-prefixed preamble).
            await stream.WriteAsync(new byte[] { 16, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 }, guard.Token);
            return await stream.ReadAsync(new byte[64], guard.Token) == 0;
        }
        catch (IOException)
        {
            return true;
        }
    }
}
