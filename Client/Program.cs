using Transport.Client;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // First Ctrl+C: cancel the job cleanly (the process exits by itself); a second one kills the process.
    if (!cancellation.IsCancellationRequested)
    {
        e.Cancel = true;
        cancellation.Cancel();
    }
};

return await TransportCli.RunAsync(args, Console.Out, Console.Error, interactiveProgress: !Console.IsErrorRedirected, cancellation.Token);
