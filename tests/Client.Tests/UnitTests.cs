using Transport.Grains.Interfaces;
using Transport.Numerics;

namespace Transport.Client.Tests;

/// <summary>The console's small parts on their own.</summary>
public sealed class UnitTests : IDisposable
{
    private readonly Workspace work = new();

    public void Dispose() => work.Dispose();

    [Theory]
    [InlineData("1073741824", 1073741824L)]
    [InlineData("512M", 536870912L)]
    [InlineData("4G", 4294967296L)]
    [InlineData("4g", 4294967296L)]
    [InlineData("4GB", 4294967296L)]
    [InlineData("1.5GiB", 1610612736L)]
    [InlineData("64K", 65536L)]
    [InlineData("2T", 2199023255552L)]
    [InlineData("100B", 100L)]
    [InlineData(" 8 M ", 8388608L)]
    public void Byte_sizes_parse_with_binary_suffixes(string text, long bytes) => Assert.Equal(bytes, ByteSizes.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("lots")]
    [InlineData("4X")]
    [InlineData("G")]
    [InlineData("-1G")]
    [InlineData("1e9")]
    [InlineData("5iB")]
    [InlineData("99999999T")]
    public void Other_byte_sizes_do_not_parse(string text) => Assert.Null(ByteSizes.Parse(text));

    [Theory]
    [InlineData("localhost:30000", "localhost", 30000, "localhost:30000")]
    [InlineData("10.0.0.7:1", "10.0.0.7", 1, "10.0.0.7:1")]
    [InlineData("[::1]:30001", "::1", 30001, "[::1]:30001")]
    public void Cluster_endpoints_parse(string text, string host, int port, string shown)
    {
        var endpoint = ClusterEndpoint.Parse(text, "c", "s");
        Assert.Equal(host, endpoint.Host);
        Assert.Equal(port, endpoint.Port);
        Assert.Equal(shown, endpoint.ToString());
    }

    [Theory]
    [InlineData("a:1,b:2", "a:1,b:2")]
    [InlineData(" a:1 , [::1]:2", "a:1,[::1]:2")]
    [InlineData("redis://localhost:6380", "redis://localhost:6380")]
    [InlineData("redis://10.0.0.1", "redis://10.0.0.1:6379")]
    [InlineData("REDIS://[::1]:7000/", "redis://[::1]:7000")]
    public void Cluster_lists_and_redis_addresses_parse(string text, string shown)
    {
        var endpoint = ClusterEndpoint.Parse(text, "c", "s");
        Assert.Equal(shown, endpoint.ToString());
        Assert.Equal(text.Contains("redis", StringComparison.OrdinalIgnoreCase), endpoint.Redis is not null);
    }

    [Theory]
    [InlineData("a:1,")]
    [InlineData("a:1,b")]
    [InlineData("redis://")]
    [InlineData("redis://h:x")]
    [InlineData("localhost")]
    [InlineData(":30000")]
    [InlineData("host:")]
    [InlineData("host:0")]
    [InlineData("host:x1")]
    [InlineData("::1:30000")]
    public void Bad_cluster_endpoints_name_the_field_and_value(string text)
    {
        var ex = Assert.Throws<InvalidInputException>(() => ClusterEndpoint.Parse(text, "c", "s"));
        Assert.Equal("cluster", ex.Field);
        Assert.Contains(text, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plain_progress_writes_a_line_only_when_something_changed_materially_and_the_terminal_line_shows_the_target()
    {
        // 482 polls of a 20-step flow whose line differs in its clock each time: a log gets one line per tenth of the
        // time span (and per state), not one per poll.
        using var plain = new StringWriter();
        var reporter = new ProgressReporter(plain, interactive: false, quiet: false);
        for (var poll = 0; poll < 482; poll++)
        {
            var time = 20.0 * poll / 481;
            reporter.Progress($"flow step {(int)time} time {time:F3} elapsed {poll * 0.1:F1} s", $"Running|{Math.Floor(10 * time / 20)}");
        }

        var lines = plain.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(11, lines.Length);

        // Sinkhorn: the line names the target epsilon and tolerance; the log gets a line per half-decade of the error.
        using var log = new StringWriter();
        var sinkhorn = new ProgressReporter(log, interactive: false, quiet: false) { SinkhornTarget = (0.01, 1e-6) };
        for (var k = 0; k < 100; k++)
        {
            sinkhorn.Report(new JobStatus<SinkhornJobProgress>(JobState.Running, new SinkhornJobProgress("cross", k, 0.01, Math.Pow(0.8, k))));
        }

        var sinkhornLines = log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.InRange(sinkhornLines.Length, 19, 21);
        Assert.Contains("-> 0.01", sinkhornLines[0], StringComparison.Ordinal);
        Assert.Contains("-> 1E-06", sinkhornLines[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Plain_progress_is_throttled_and_interactive_progress_redraws_in_place()
    {
        var status = new JobStatus<SinkhornJobProgress>(JobState.Running, new SinkhornJobProgress("cross", 3, 0.5, 0.25));
        using var plain = new StringWriter();
        var reporter = new ProgressReporter(plain, interactive: false, quiet: false);
        for (var k = 0; k < 50; k++)
        {
            reporter.Report(status with { Progress = status.Progress with { Iteration = k } });
        }

        reporter.Finish();
        var lines = plain.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains("cross", lines[0], StringComparison.Ordinal);
        Assert.Contains("marginal error 0.25", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain('\r', plain.ToString());

        using var terminal = new StringWriter();
        var live = new ProgressReporter(terminal, interactive: true, quiet: false);
        live.Phase("a much longer phase line than the next one");
        live.Phase("short");
        live.Finish();
        var text = terminal.ToString();
        Assert.StartsWith("\r", text, StringComparison.Ordinal);
        Assert.EndsWith(Environment.NewLine, text, StringComparison.Ordinal);
        Assert.Single(text.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        using var silent = new StringWriter();
        var quiet = new ProgressReporter(silent, interactive: true, quiet: true);
        quiet.Phase("x");
        quiet.Report(status);
        quiet.Finish();
        Assert.Empty(silent.ToString());
    }

    [Fact]
    public void Demo_clouds_are_seeded()
    {
        var (a1, b1) = DemoClouds.Generate(50, 7);
        var (a2, b2) = DemoClouds.Generate(50, 7);
        var (a3, _) = DemoClouds.Generate(50, 8);
        Assert.Equal(a1.Positions.ToArray(), a2.Positions.ToArray());
        Assert.Equal(b1.Positions.ToArray(), b2.Positions.ToArray());
        Assert.NotEqual(a1.Positions.ToArray(), a3.Positions.ToArray());
        Assert.Equal(2, a1.Dimension);
    }
}
