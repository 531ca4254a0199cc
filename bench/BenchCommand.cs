namespace Transport.Bench;

/// <summary>
/// One bench command: its usage text, and a runner that parses the command's arguments and runs it. Parsing errors
/// (<see cref="ArgumentException"/>, <see cref="FormatException"/>, <see cref="OverflowException"/>) print the message
/// and the usage and exit 2; <c>--help</c> prints the usage and exits 0.
/// </summary>
/// <param name="Name">The command word.</param>
/// <param name="Usage">The command's usage text.</param>
/// <param name="Run">Parses the arguments (may throw a parsing error) and returns the run, which yields the exit code.</param>
internal sealed record BenchCommand(string Name, string Usage, Func<IReadOnlyList<string>, Func<Task<int>>> Run)
{
    /// <summary>A command whose options type parses with <paramref name="parse"/> and runs synchronously.</summary>
    public static BenchCommand Of<TOptions>(string name, string usage, Func<IReadOnlyList<string>, TOptions> parse, Action<TOptions> run) =>
        new(name, usage, arguments =>
        {
            var options = parse(arguments);
            return () =>
            {
                run(options);
                return Task.FromResult(0);
            };
        });

    /// <summary>A command whose options type parses with <paramref name="parse"/> and runs asynchronously.</summary>
    public static BenchCommand OfAsync<TOptions>(string name, string usage, Func<IReadOnlyList<string>, TOptions> parse, Func<TOptions, Task> run) =>
        new(name, usage, arguments =>
        {
            var options = parse(arguments);
            return async () =>
            {
                await run(options);
                return 0;
            };
        });

    /// <summary>
    /// A command whose options type parses with <paramref name="parse"/> and whose run decides the exit code (a bench
    /// that is also a check, such as <c>chaos</c>, fails the process when what it checks does not hold).
    /// </summary>
    public static BenchCommand WithExitCode<TOptions>(string name, string usage, Func<IReadOnlyList<string>, TOptions> parse, Func<TOptions, Task<int>> run) =>
        new(name, usage, arguments =>
        {
            var options = parse(arguments);
            return () => run(options);
        });

    /// <summary>Runs the command on <paramref name="arguments"/>; returns the process exit code.</summary>
    public async Task<int> ExecuteAsync(IReadOnlyList<string> arguments)
    {
        if (arguments.Contains("--help") || arguments.Contains("-h"))
        {
            Console.WriteLine(Usage);
            return 0;
        }

        Func<Task<int>> run;
        try
        {
            run = Run(arguments);
        }
        catch (Exception exception) when (exception is ArgumentException or FormatException or OverflowException)
        {
            await Console.Error.WriteLineAsync($"{exception.Message}\n{Usage}");
            return 2;
        }

        return await run();
    }
}
