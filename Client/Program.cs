using Transport.Client;

using var signals = new ConsoleSignals();
var code = await TransportCli.RunAsync(args, Console.Out, Console.Error, interactiveProgress: !Console.IsErrorRedirected, signals.Token);
return signals.ExitCode(code);
