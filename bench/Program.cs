using Transport.Bench;

// `dotnet run -c Release --project bench -- [kernels] [options]`; kernels is the default command.
var arguments = args.ToList();
if (arguments.Count > 0 && !arguments[0].StartsWith("--", StringComparison.Ordinal))
{
    var command = arguments[0];
    arguments.RemoveAt(0);
    if (command != "kernels")
    {
        await Console.Error.WriteLineAsync($"unknown command '{command}'\n{BenchOptions.Usage}");
        return 2;
    }
}

if (arguments.Contains("--help") || arguments.Contains("-h"))
{
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}

BenchOptions options;
try
{
    options = BenchOptions.Parse(arguments);
}
catch (Exception exception) when (exception is ArgumentException or FormatException)
{
    await Console.Error.WriteLineAsync($"{exception.Message}\n{BenchOptions.Usage}");
    return 2;
}

await KernelsCommand.RunAsync(options);
return 0;
