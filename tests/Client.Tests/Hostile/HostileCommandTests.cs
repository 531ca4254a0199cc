namespace Transport.Client.Tests.Hostile;

/// <summary>
/// Hostile input through the console (issue 12): every malformed request of <see cref="HostileCommands"/> exits 2 with one
/// line <c>error: FIELD: ...</c> naming the field, prints nothing on stdout and leaves no output folder behind.
/// </summary>
public sealed class HostileCommandTests
{
    public static TheoryData<string> Cases => [.. HostileCommands.All.Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_malformed_request_exits_2_naming_its_field_and_writes_nothing(string name)
    {
        var command = HostileCommands.Named(name);
        using var work = new Workspace();

        var run = await Cli.RunAsync(command.Arguments(work));

        command.AssertRefused(run, work);
    }

    [Fact]
    public void The_table_holds_at_least_40_distinct_malformed_requests()
    {
        var names = HostileCommands.All.Select(c => c.Name).ToArray();

        Assert.Equal(names.Length, names.Distinct(StringComparer.Ordinal).Count());
        Assert.True(names.Length >= 40, $"{names.Length} cases");
        using var work = new Workspace();
        var verbs = HostileCommands.All.Select(c => c.Arguments(work)[0]).ToHashSet();
        Assert.Equal(["flow", "sample", "sinkhorn"], verbs.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("sinkhorn")]
    [InlineData("flow")]
    [InlineData("sample")]
    public async Task The_request_the_cases_change_is_valid(string verb)
    {
        // Guards the table: each case changes one thing in a command line that succeeds.
        using var work = new Workspace();
        var baseline = verb switch
        {
            "sinkhorn" => HostileCommands.ValidSinkhorn(work),
            "flow" => HostileCommands.ValidFlow(work),
            _ => HostileCommands.ValidSample(work),
        };

        var run = await Cli.RunAsync(baseline);

        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}; stderr: {run.Stderr}");
        Assert.True(Directory.Exists(work.Out));
    }
}
