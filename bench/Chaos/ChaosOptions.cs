using System.Globalization;

namespace Transport.Bench.Chaos;

/// <summary>Command-line options of <c>bench chaos</c>.</summary>
internal sealed record ChaosOptions
{
    public const string Usage = """
        usage: dotnet run -c Release --project bench -- chaos [options]
          --minutes M             how long the clients keep submitting (default 10)
          --silos P               silo processes, kept at this size (default 3)
          --clients C             client loops, each running one job at a time (default 4)
          --kill-every SECONDS    kill -9 a random silo this often, then start a replacement; 0: never (default 60)
          --jobs-per-client K     each client stops after K jobs (default: no limit, only --minutes)
          --points N              points per Sinkhorn cloud (default 1200)
          --variants V            distinct inputs per job kind, each with its own reference run (default 2)
          --job-timeout SECONDS   a job not ended after this is counted lost, its console killed (default 300)
          --seed S                seed of the victims' choice and the Sinkhorn clouds (default 1)
          --work DIR              inputs, references, outputs and silo logs (default: a new folder under /tmp)
          --keep                  keep the work folder even when every job was accounted for
        """;

    /// <summary>How long the clients keep submitting new jobs.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromMinutes(10);

    public int Silos { get; init; } = 3;

    public int Clients { get; init; } = 4;

    /// <summary>Time between two silo kills; <see cref="TimeSpan.Zero"/> kills none (a load run).</summary>
    public TimeSpan KillEvery { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Jobs each client submits before it stops; null: as many as fit in <see cref="Duration"/>.</summary>
    public int? JobsPerClient { get; init; }

    public int Points { get; init; } = 1200;

    public int Variants { get; init; } = 2;

    public TimeSpan JobTimeout { get; init; } = TimeSpan.FromSeconds(300);

    public int Seed { get; init; } = 1;

    public string? WorkDirectory { get; init; }

    public bool Keep { get; init; }

    public static ChaosOptions Parse(IReadOnlyList<string> arguments)
    {
        var options = new ChaosOptions();
        for (var k = 0; k < arguments.Count; k++)
        {
            var name = arguments[k];
            string Next() => k + 1 < arguments.Count ? arguments[++k] : throw new ArgumentException($"{name} needs a value");
            int Int() => int.Parse(Next(), CultureInfo.InvariantCulture);
            double Double() => double.Parse(Next(), CultureInfo.InvariantCulture);
            options = name switch
            {
                "--minutes" => options with { Duration = TimeSpan.FromMinutes(Double()) },
                "--silos" => options with { Silos = Int() },
                "--clients" => options with { Clients = Int() },
                "--kill-every" => options with { KillEvery = TimeSpan.FromSeconds(Double()) },
                "--jobs-per-client" => options with { JobsPerClient = Int() },
                "--points" => options with { Points = Int() },
                "--variants" => options with { Variants = Int() },
                "--job-timeout" => options with { JobTimeout = TimeSpan.FromSeconds(Double()) },
                "--seed" => options with { Seed = Int() },
                "--work" => options with { WorkDirectory = Next() },
                "--keep" => options with { Keep = true },
                _ => throw new ArgumentException($"unknown option '{name}'"),
            };
        }

        return options.Validated();
    }

    private ChaosOptions Validated()
    {
        Require(Duration > TimeSpan.Zero, "--minutes must be positive");
        Require(Silos is >= 1 and <= 16, "--silos must be in 1..16");

        // Killing the only silo leaves no survivor to resume on: the run would measure restarts, not fail-over.
        Require(KillEvery == TimeSpan.Zero || Silos >= 2, "--kill-every needs --silos 2 or more");
        Require(KillEvery >= TimeSpan.Zero, "--kill-every must be 0 or positive");
        Require(Clients is >= 1 and <= 64, "--clients must be in 1..64");
        Require(JobsPerClient is null or >= 1, "--jobs-per-client must be positive");
        Require(Points is >= 10 and <= 100_000, "--points must be in 10..100000");
        Require(Variants is >= 1 and <= 16, "--variants must be in 1..16");
        Require(JobTimeout > TimeSpan.Zero, "--job-timeout must be positive");
        return this;
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }
}
