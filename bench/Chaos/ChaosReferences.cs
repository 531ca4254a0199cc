namespace Transport.Bench.Chaos;

/// <summary>
/// The reference of every distinct input: the same console command on an embedded silo (no <c>--cluster</c>), run
/// once before the cluster starts, two at a time.
/// </summary>
internal static class ChaosReferences
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    /// <summary>Runs the references; throws when one does not complete (the run would have nothing to compare with).</summary>
    public static async Task ComputeAsync(ProcessSet processes, string consoleDll, IReadOnlyList<ChaosInput> inputs, string workDirectory, ChaosJournal journal, CancellationToken token)
    {
        using var slots = new SemaphoreSlim(2);
        await Task.WhenAll(inputs.Select(async input =>
        {
            await slots.WaitAsync(token);
            try
            {
                var started = journal.Now;
                var console = processes.Start(Dotnet.Host, [consoleDll, .. input.Arguments, "--out", input.Reference, "--force"], workDirectory);
                try
                {
                    if (!await console.WaitForExitAsync(Timeout, token))
                    {
                        token.ThrowIfCancellationRequested();
                        throw new TimeoutException($"the reference of {input.Name} did not finish within {Timeout.TotalMinutes:F0} minutes");
                    }

                    if (console.ExitCode != 0)
                    {
                        throw new InvalidOperationException($"the reference of {input.Name} failed (exit {console.ExitCode}): {console.Errors.Trim()}");
                    }
                }
                finally
                {
                    processes.Release(console);
                }

                journal.Progress($"reference {input.Name}: {(journal.Now - started).TotalSeconds:F1} s on an embedded silo");
            }
            finally
            {
                slots.Release();
            }
        }));
    }
}
