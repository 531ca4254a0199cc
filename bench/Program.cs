using Transport.Bench;

// `dotnet run -c Release --project bench -- [kernels|flows|sampling|multiscale|divergence|iterations] [options]`; kernels is the default command.
BenchCommand[] commands =
[
    BenchCommand.OfAsync("kernels", BenchOptions.Usage, BenchOptions.Parse, KernelsCommand.RunAsync),
    BenchCommand.OfAsync("flows", FlowsOptions.Usage, FlowsOptions.Parse, FlowsCommand.RunAsync),
    BenchCommand.OfAsync("sampling", SamplingOptions.Usage, SamplingOptions.Parse, SamplingCommand.RunAsync),
    BenchCommand.Of("multiscale", MultiscaleBenchOptions.Usage, MultiscaleBenchOptions.Parse, MultiscaleCommand.Run),
    BenchCommand.Of("divergence", DivergenceBenchOptions.Usage, DivergenceBenchOptions.Parse, DivergenceCommand.Run),
    BenchCommand.Of("iterations", IterationsOptions.Usage, IterationsOptions.Parse, IterationsCommand.Run),
    BenchCommand.OfAsync("redis-cluster", RedisClusterCommand.Usage, RedisClusterOptions.Parse, RedisClusterCommand.RunAsync),
];

var arguments = args.ToList();
var name = "kernels";
if (arguments.Count > 0 && !arguments[0].StartsWith("--", StringComparison.Ordinal))
{
    name = arguments[0];
    arguments.RemoveAt(0);
}

var command = commands.FirstOrDefault(c => c.Name == name);
if (command is null)
{
    await Console.Error.WriteLineAsync($"unknown command '{name}'\n{string.Join('\n', commands.Select(c => c.Usage))}");
    return 2;
}

return await command.ExecuteAsync(arguments);
