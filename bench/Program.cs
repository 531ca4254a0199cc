using Transport.Bench;
using Transport.Bench.Chaos;

// `dotnet run -c Release --project bench -- [kernels|flows|sampling|multiscale|divergence|iterations|redis-cluster|scale-out|checkpoints|chaos] [options]`; kernels is the default command.
BenchCommand[] commands =
[
    BenchCommand.OfAsync("kernels", BenchOptions.Usage, BenchOptions.Parse, KernelsCommand.RunAsync),
    BenchCommand.OfAsync("flows", FlowsOptions.Usage, FlowsOptions.Parse, FlowsCommand.RunAsync),
    BenchCommand.OfAsync("sampling", SamplingOptions.Usage, SamplingOptions.Parse, SamplingCommand.RunAsync),
    BenchCommand.Of("multiscale", MultiscaleBenchOptions.Usage, MultiscaleBenchOptions.Parse, MultiscaleCommand.Run),
    BenchCommand.Of("divergence", DivergenceBenchOptions.Usage, DivergenceBenchOptions.Parse, DivergenceCommand.Run),
    BenchCommand.Of("iterations", IterationsOptions.Usage, IterationsOptions.Parse, IterationsCommand.Run),
    BenchCommand.OfAsync("redis-cluster", RedisClusterCommand.Usage, RedisClusterOptions.Parse, RedisClusterCommand.RunAsync),
    BenchCommand.OfAsync("scale-out", ScaleOutOptions.Usage, ScaleOutOptions.Parse, ScaleOutCommand.RunAsync),
    BenchCommand.OfAsync("checkpoints", CheckpointsCommand.Usage, CheckpointOptionsParse, CheckpointsCommand.RunAsync),
    BenchCommand.WithExitCode("chaos", ChaosCommand.Usage, ChaosOptions.Parse, ChaosCommand.RunAsync),
];

// The checkpoint bench defaults to the size: N = M = 20,000, d = 3, 3 shards, 10 timed iterations (two of
// them checkpointed in the every-fifth row).
static BenchOptions CheckpointOptionsParse(IReadOnlyList<string> arguments)
{
    var options = BenchOptions.Parse(arguments);
    return options with
    {
        SinkhornSize = arguments.Contains("--sinkhorn-size") ? options.SinkhornSize : 20_000,
        SinkhornDimension = 3,
        Shards = arguments.Contains("--shards") ? options.Shards : 3,
        SinkhornIterations = arguments.Contains("--iterations") ? options.SinkhornIterations : 10,
    };
}

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
