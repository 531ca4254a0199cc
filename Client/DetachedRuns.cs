using Transport.Numerics;

namespace Transport.Client;

/// <summary>
/// What <c>--detach</c> means for every command that has it (<c>sinkhorn</c>, <c>flow</c>, <c>sample</c>): it needs a
/// <c>--cluster</c> (an embedded silo ends with the process), writes nothing now (no <c>--out</c>), and tells the
/// user how to follow and collect the run.
/// </summary>
internal static class DetachedRuns
{
    /// <summary>Checks <c>--detach</c>, <c>--cluster</c>, <c>--out</c> and <c>--force</c> together; throws <see cref="InvalidInputException"/> naming the option.</summary>
    public static void CheckArguments(bool detach, string? cluster, string? output, bool force)
    {
        if (detach)
        {
            if (cluster is null)
            {
                throw new InvalidInputException("detach", "needs --cluster (an embedded silo ends with this process)");
            }

            if (output is not null)
            {
                throw new InvalidInputException("out", "a detached run writes nothing now; fetch its outputs with 'transport runs fetch ID --out DIR'");
            }

            if (force)
            {
                throw new InvalidInputException("force", "applies to --out, and a detached run writes nothing now");
            }
        }
        else if (string.IsNullOrWhiteSpace(output))
        {
            throw new InvalidInputException("out", "the output directory is required (--out DIR)");
        }
    }

    /// <summary>Prints the id of a submitted run on stdout and how to follow and collect it on stderr.</summary>
    public static async Task ReportSubmittedAsync(string id, object cluster, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        await stdout.WriteLineAsync(id);
        await stderr.WriteLineAsync($"submitted {id}; follow it with 'transport runs wait {id} --cluster {cluster}', collect it with 'transport runs fetch {id} --out DIR --cluster {cluster}'");
    }
}
