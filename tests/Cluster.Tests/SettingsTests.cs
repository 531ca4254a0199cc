using Microsoft.Extensions.Configuration;
using Transport.Silo;

namespace Transport.Cluster.Tests;

/// <summary>The <c>Transport</c> section read in process: values, defaults and the setting named by each error.</summary>
public sealed class SettingsTests
{
    [Fact]
    public void Values_are_read_in_their_documented_forms_and_absent_keys_keep_their_defaults()
    {
        var options = Read(new()
        {
            ["Transport:Clustering"] = "Redis",
            ["Transport:Storage"] = "REDIS",
            ["Transport:Redis"] = "localhost:6380,password=x",
            ["Transport:ResponseTimeout"] = "90",
            ["Transport:ProbeTimeout"] = "00:00:02.5",
            ["Transport:AdvertisedAddress"] = "127.0.0.1",
            ["Transport:ListenOnAnyAddress"] = "true",
        });
        Assert.Equal("redis", options.Clustering);
        Assert.Equal("redis", options.Storage);
        Assert.Equal(TimeSpan.FromSeconds(90), options.ResponseTimeout);
        Assert.Equal(TimeSpan.FromSeconds(2.5), options.ProbeTimeout);
        Assert.True(options.ListenOnAnyAddress);
        Assert.Equal(new TransportSiloOptions().MaxMessageBodySize, options.MaxMessageBodySize);
        Assert.Equal("transport", options.ClusterId);
        Assert.Equal(System.Net.IPAddress.Loopback, TransportSettings.ResolveAdvertisedAddress(options));

        var defaults = Read([]);
        Assert.Equal("localhost", defaults.Clustering);
        Assert.Equal("memory", defaults.Storage);
        Assert.Equal(System.Net.IPAddress.Loopback, TransportSettings.ResolveAdvertisedAddress(defaults));
        Assert.Null(TransportSettings.ResolveAdvertisedAddress(Read(new() { ["Transport:Clustering"] = "redis", ["Transport:Redis"] = "r:1" })));
    }

    [Fact]
    public void Admission_limits_upload_lease_and_retention_are_read_and_bound_as_the_coordinators_see_them()
    {
        var options = Read(new()
        {
            ["Transport:MaxPointsPerJob"] = "1000",
            ["Transport:MaxPointsPerShard"] = "300",
            ["Transport:MaxDimension"] = "8",
            ["Transport:MaxConcurrentJobs"] = "2",
            ["Transport:MaxJobMemory"] = "200000",
            ["Transport:UploadLease"] = "1",
            ["Transport:JobRetention"] = "00:30:00",
            ["Transport:InstallChunkBytes"] = "65536",
        });
        var limits = options.ToJobLimits();
        Assert.Equal(1000, limits.MaxPointsPerJob);
        Assert.Equal(300, limits.MaxPointsPerShard);
        Assert.Equal(8, limits.MaxDimension);
        Assert.Equal(2, limits.MaxConcurrentJobs);
        Assert.Equal(200_000, limits.MaxJobMemory);
        Assert.Equal(TimeSpan.FromSeconds(1), limits.UploadLease);
        Assert.Equal(65536, limits.InstallChunkBytes);
        Assert.Equal(TimeSpan.FromMinutes(30), options.JobRetention);

        // Checkpoints by count of iterations or steps instead of by time.
        Assert.Equal(25, Read(new() { ["Transport:CheckpointEvery"] = "25" }).CheckpointEvery);
        Assert.Equal(0, Read([]).CheckpointEvery);

        // The defaults: the memory limit is half of what the process may use.
        var defaults = Read([]).ToJobLimits();
        Assert.Equal(Transport.Grains.JobLimits.DefaultMaxPointsPerJob, defaults.MaxPointsPerJob);
        Assert.Equal(TimeSpan.FromMinutes(2), defaults.UploadLease);
        Assert.Equal(Transport.Grains.Interfaces.FloatBlock.MaxBytes, defaults.InstallChunkBytes);
        Assert.Equal(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 2, defaults.MaxJobMemory);
    }

    [Theory]
    [InlineData("MaxPointsPerJob", "0", "Transport:MaxPointsPerJob: must be an integer >= 1, got '0'")]
    [InlineData("MaxJobMemory", "8GB", "Transport:MaxJobMemory: must be an integer >= 1, got '8GB'")]
    [InlineData("MaxConcurrentJobs", "-1", "Transport:MaxConcurrentJobs: must be an integer >= 1, got '-1'")]
    [InlineData("UploadLease", "0", "Transport:UploadLease: must be a positive duration")]
    [InlineData("JobRetention", "forever", "Transport:JobRetention: must be a positive duration")]
    [InlineData("CheckpointEvery", "-5", "Transport:CheckpointEvery: must be an integer >= 0, got '-5'")]
    [InlineData("CheckpointInterval", "0", "Transport:CheckpointInterval: must be a positive duration")]
    [InlineData("InstallChunkBytes", "512", "Transport:InstallChunkBytes: must be an integer >= 1024, got '512'")]
    [InlineData("InstallChunkBytes", "16777216", "Transport:InstallChunkBytes: must be at most 8388608 bytes, got 16777216")]
    public void A_bad_limit_names_its_setting(string key, string value, string message)
    {
        var ex = Assert.Throws<TransportSettingsException>(() => Read(new() { [$"Transport:{key}"] = value }));
        Assert.StartsWith(message, ex.Message, StringComparison.Ordinal);
        Assert.Equal($"Transport:{key}", ex.Setting);
    }

    [Theory]
    [InlineData("Clustering", "consul", "Transport:Clustering: unknown kind 'consul' (expected localhost or redis)")]
    [InlineData("Telemetry", "x", "Transport:Telemetry: unknown kind 'x' (expected none, console or otlp)")]
    [InlineData("GatewayPort", "0", "Transport:GatewayPort: port must be an integer in 1..65535, got '0'")]
    [InlineData("ProbeTimeout", "0", "Transport:ProbeTimeout: must be a positive duration")]
    [InlineData("MissedProbes", "0", "Transport:MissedProbes: must be an integer >= 1, got '0'")]
    [InlineData("ListenOnAnyAddress", "yes", "Transport:ListenOnAnyAddress: must be true or false, got 'yes'")]
    [InlineData("OtlpEndpoint", "collector", "Transport:OtlpEndpoint: must be an absolute URI, got 'collector'")]
    [InlineData("AdvertisedAddress", "no-such-host.invalid", "Transport:AdvertisedAddress: cannot resolve host 'no-such-host.invalid'")]
    [InlineData("DashboardPort", "http", "Transport:DashboardPort: port must be an integer in 1..65535, got 'http'")]
    [InlineData("DashboardAddress", "localhost", "Transport:DashboardAddress: must be an IP address (127.0.0.1, 0.0.0.0), got 'localhost'")]
    [InlineData("DashboardPort", "30000", "Transport:DashboardPort: 30000 is also the silo or gateway port; the ports must differ")]
    [InlineData("Clusterin", "redis", "Transport:Clusterin: unknown setting")]
    public void A_bad_value_names_its_setting(string key, string value, string message)
    {
        var ex = Assert.Throws<TransportSettingsException>(() => Read(new() { [$"Transport:{key}"] = value }));
        Assert.StartsWith(message, ex.Message, StringComparison.Ordinal);
        Assert.Equal($"Transport:{key}", ex.Setting);
    }

    [Fact]
    public void A_redis_kind_needs_a_redis_connection_string()
    {
        var ex = Assert.Throws<TransportSettingsException>(() => Read(new() { ["Transport:Storage"] = "redis" }));
        Assert.Equal("Transport:Redis: required when Transport:Storage is redis (e.g. localhost:6379)", ex.Message);
        var empty = Assert.Throws<TransportSettingsException>(() => TransportRedis.Options(",", "Transport:Redis"));
        Assert.Equal("Transport:Redis", empty.Setting);
    }

    private static TransportSiloOptions Read(Dictionary<string, string?> values) =>
        TransportSettings.Read(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
}
