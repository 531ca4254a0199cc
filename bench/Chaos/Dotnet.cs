namespace Transport.Bench.Chaos;

/// <summary>The built programs the chaos driver runs: the console and the silo next to it, under the dotnet host.</summary>
internal static class Dotnet
{
    /// <summary>The dotnet host running this bench (so the children use the same runtime).</summary>
    public static string Host { get; } = Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";

    /// <summary>Client/bin/Release/net10.0/transport.dll of this repository.</summary>
    public static string ConsoleDll()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Transport.Distributed.sln")))
        {
            directory = directory.Parent;
        }

        var root = directory?.FullName ?? throw new InvalidOperationException("run the bench from the repository");
        var dll = Path.Combine(root, "Client", "bin", "Release", "net10.0", "transport.dll");
        return File.Exists(dll) ? dll : throw new InvalidOperationException($"build the console first: dotnet build Client -c Release ({dll} missing)");
    }

    /// <summary>The silo program the console's build carries (what <c>transport cluster up</c> starts).</summary>
    public static string SiloDll(string consoleDll)
    {
        var dll = Path.Combine(Path.GetDirectoryName(consoleDll)!, "Transport.Silo.dll");
        return File.Exists(dll) ? dll : throw new InvalidOperationException($"{dll} is missing: build the console first (dotnet build Client -c Release)");
    }
}
