using Transport.Bench;

// `dotnet run -c Release --project bench -- [kernels|flows|sampling|multiscale|divergence|iterations] [options]`; kernels is the default command.
var arguments = args.ToList();
var command = "kernels";
if (arguments.Count > 0 && !arguments[0].StartsWith("--", StringComparison.Ordinal))
{
    command = arguments[0];
    arguments.RemoveAt(0);
    if (command is not ("kernels" or "flows" or "sampling" or "multiscale" or "divergence" or "iterations"))
    {
        await Console.Error.WriteLineAsync($"unknown command '{command}'\n{BenchOptions.Usage}\n{FlowsOptions.Usage}\n{SamplingOptions.Usage}\n{MultiscaleBenchOptions.Usage}\n{DivergenceBenchOptions.Usage}\n{IterationsOptions.Usage}");
        return 2;
    }
}

if (command == "flows")
{
    if (arguments.Contains("--help") || arguments.Contains("-h"))
    {
        Console.WriteLine(FlowsOptions.Usage);
        return 0;
    }

    FlowsOptions flowsOptions;
    try
    {
        flowsOptions = FlowsOptions.Parse(arguments);
    }
    catch (Exception exception) when (exception is ArgumentException or FormatException)
    {
        await Console.Error.WriteLineAsync($"{exception.Message}\n{FlowsOptions.Usage}");
        return 2;
    }

    await FlowsCommand.RunAsync(flowsOptions);
    return 0;
}

if (command == "multiscale")
{
    if (arguments.Contains("--help") || arguments.Contains("-h"))
    {
        Console.WriteLine(MultiscaleBenchOptions.Usage);
        return 0;
    }

    MultiscaleBenchOptions multiscaleOptions;
    try
    {
        multiscaleOptions = MultiscaleBenchOptions.Parse(arguments);
    }
    catch (Exception exception) when (exception is ArgumentException or FormatException)
    {
        await Console.Error.WriteLineAsync($"{exception.Message}\n{MultiscaleBenchOptions.Usage}");
        return 2;
    }

    MultiscaleCommand.Run(multiscaleOptions);
    return 0;
}

if (command == "divergence")
{
    if (arguments.Contains("--help") || arguments.Contains("-h"))
    {
        Console.WriteLine(DivergenceBenchOptions.Usage);
        return 0;
    }

    DivergenceBenchOptions divergenceOptions;
    try
    {
        divergenceOptions = DivergenceBenchOptions.Parse(arguments);
    }
    catch (Exception exception) when (exception is ArgumentException or FormatException or OverflowException)
    {
        await Console.Error.WriteLineAsync($"{exception.Message}\n{DivergenceBenchOptions.Usage}");
        return 2;
    }

    DivergenceCommand.Run(divergenceOptions);
    return 0;
}

if (command == "iterations")
{
    if (arguments.Contains("--help") || arguments.Contains("-h"))
    {
        Console.WriteLine(IterationsOptions.Usage);
        return 0;
    }

    IterationsOptions iterationsOptions;
    try
    {
        iterationsOptions = IterationsOptions.Parse(arguments);
    }
    catch (Exception exception) when (exception is ArgumentException or FormatException)
    {
        await Console.Error.WriteLineAsync($"{exception.Message}\n{IterationsOptions.Usage}");
        return 2;
    }

    IterationsCommand.Run(iterationsOptions);
    return 0;
}

if (command == "sampling")
{
    if (arguments.Contains("--help") || arguments.Contains("-h"))
    {
        Console.WriteLine(SamplingOptions.Usage);
        return 0;
    }

    SamplingOptions samplingOptions;
    try
    {
        samplingOptions = SamplingOptions.Parse(arguments);
    }
    catch (Exception exception) when (exception is ArgumentException or FormatException)
    {
        await Console.Error.WriteLineAsync($"{exception.Message}\n{SamplingOptions.Usage}");
        return 2;
    }

    await SamplingCommand.RunAsync(samplingOptions);
    return 0;
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
