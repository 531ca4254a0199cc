namespace Transport.Cluster.Tests;

/// <summary>
/// A TLS setting that cannot work stops a silo or the console before anything starts: one line naming the setting,
/// exit 2, nothing listening, no output. The console's embedded silo stays plain whatever the TLS settings.
/// </summary>
public sealed class TlsConfigurationTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private readonly TestCertificates certificates = new();
    private readonly Jobs jobs = new();

    public void Dispose()
    {
        jobs.Dispose();
        certificates.Dispose();
    }

    [Fact]
    public async Task A_silo_with_a_bad_tls_setting_names_it_and_exits_2()
    {
        var missing = Path.Combine(certificates.Folder, "missing.pfx");
        var cases = new (string Setting, string[] Arguments)[]
        {
            ("Transport:TlsCertificate", TestCertificates.SiloArguments(missing, certificates.CaPem)),
            ("Transport:TlsCertificatePassword", [$"--Transport:TlsCertificate={certificates.NodePfx}", "--Transport:TlsCertificatePassword=wrong", $"--Transport:TlsCaCertificate={certificates.CaPem}"]),
            ("Transport:TlsCertificate", TestCertificates.SiloArguments(certificates.WithoutKeyPfx, certificates.CaPem)),
            ("Transport:TlsCertificate", TestCertificates.SiloArguments(certificates.ExpiredPfx, certificates.CaPem)),
            ("Transport:TlsCertificate", TestCertificates.SiloArguments(certificates.RoguePfx, certificates.CaPem)),
            ("Transport:TlsCaCertificate", TestCertificates.SiloArguments(certificates.NodePfx, Path.Combine(certificates.Folder, "missing.pem"))),
            ("Transport:TlsCaCertificate", [$"--Transport:TlsCertificate={certificates.NodePfx}", $"--Transport:TlsCertificatePassword={TestCertificates.Password}"]),
        };
        foreach (var (setting, arguments) in cases)
        {
            var (siloPort, gatewayPort) = (Machine.FreePort(), Machine.FreePort());
            var run = await ChildProcess.RunAsync(
                Machine.Dotnet, [Machine.SiloDll, $"--Transport:SiloPort={siloPort}", $"--Transport:GatewayPort={gatewayPort}", $"--Transport:PrimarySiloPort={siloPort}", .. arguments], Limit, RedisClusterFixture.Quiet);
            ProcessAssert.OneLine(run, 2, $"error: {setting}: ");
            ProcessAssert.NothingListens(siloPort, gatewayPort);
        }
    }

    [Fact]
    public async Task A_console_with_a_bad_tls_setting_names_it_and_exits_2_before_connecting()
    {
        var environment = TestCertificates.Environment(certificates.NodePfx, certificates.CaPem);
        environment["Transport__TlsCertificatePassword"] = "wrong";
        var run = await ChildProcess.RunAsync(Machine.Dotnet, [Machine.ClientDll, .. jobs.Arguments(jobs.Out("bad")), "--cluster", $"127.0.0.1:{Machine.FreePort()}"], Limit, environment);
        ProcessAssert.OneLine(run, 2, "error: Transport:TlsCertificatePassword: ");
        Assert.False(Directory.Exists(jobs.Out("bad")), "a refused run wrote output");
    }

    [Fact]
    public async Task The_embedded_silo_needs_no_tls_settings_and_ignores_them()
    {
        var environment = TestCertificates.Environment(certificates.NodePfx, certificates.CaPem);
        var run = await ChildProcess.RunAsync(Machine.Dotnet, [Machine.ClientDll, .. jobs.Arguments(jobs.Out("embedded-tls"))], Limit, environment);
        Assert.True(run.ExitCode == 0, run.ToString());
        Jobs.AssertSameResult(await jobs.EmbeddedAsync(), jobs.Out("embedded-tls"));
    }
}
