using Transport.Client;
using Transport.Numerics.IO;

namespace Transport.Cluster.Tests;

/// <summary>Input files of a small problem and the console runs on it.</summary>
internal sealed class Jobs : IDisposable
{
    private const int N = 200;
    private const int M = 180;
    private const int Dimension = 2;

    public Jobs()
    {
        Root = Path.Combine(Path.GetTempPath(), $"transport-cluster-tests-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Root);
        var random = new Random(11);
        double Next() => (2 * random.NextDouble()) - 1;
        NpyArray.WriteFloat64(Source, [.. Enumerable.Range(0, N * Dimension).Select(_ => Next())], N, Dimension);
        NpyArray.WriteFloat64(Target, [.. Enumerable.Range(0, M * Dimension).Select(_ => 0.4 + Next())], M, Dimension);
        NpyArray.WriteFloat64(Weights, [.. Enumerable.Range(0, N).Select(_ => 0.2 + random.NextDouble())], N);
    }

    public string Root { get; }

    public string Source => Path.Combine(Root, "x.npy");

    public string Target => Path.Combine(Root, "y.npy");

    public string Weights => Path.Combine(Root, "a.npy");

    public string Out(string name) => Path.Combine(Root, name);

    /// <summary>The job's arguments (3 shards per cloud, debiased divergence) writing to <paramref name="output"/>.</summary>
    public string[] Arguments(string output) =>
    [
        "sinkhorn", "--source", Source, "--target", Target, "--source-weights", Weights, "--epsilon", "0.05", "--tolerance", "1e-9",
        "--shards", "3", "--divergence", "--quiet", "--out", output,
    ];

    /// <summary>The job on an embedded silo, in this process.</summary>
    public async Task<string> EmbeddedAsync()
    {
        var output = Out("embedded");
        if (!File.Exists(Path.Combine(output, "result.json")))
        {
            using var stdout = new StringWriter();
            using var stderr = new StringWriter();
            var code = await TransportCli.RunAsync(Arguments(output), stdout, stderr, CancellationToken.None);
            Assert.True(code == 0, $"embedded run: exit {code}; {stderr}");
        }

        return output;
    }

    /// <summary>The job from the console process against <paramref name="cluster"/>.</summary>
    public async Task<ProcessRun> OnClusterAsync(string cluster, string clusterId, string output, params string[] extra) =>
        await ChildProcess.RunAsync(Machine.Dotnet, [Machine.ClientDll, .. Arguments(output), "--cluster", cluster, "--cluster-id", clusterId, .. extra], TimeSpan.FromMinutes(3));

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Temporary folder: leaving it behind is harmless.
        }
    }

    /// <summary>Same cost, dual, divergence, potentials and map to 1e-9 relative.</summary>
    public static void AssertSameResult(string expectedDirectory, string actualDirectory)
    {
        var expected = Json(Path.Combine(expectedDirectory, "result.json"));
        var actual = Json(Path.Combine(actualDirectory, "result.json"));
        foreach (var field in new[] { "cost", "dual", "objective", "divergence" })
        {
            Close(expected.GetProperty(field).GetDouble(), actual.GetProperty(field).GetDouble(), field);
        }

        Assert.Equal(expected.GetProperty("iterations").GetInt32(), actual.GetProperty("iterations").GetInt32());
        Assert.True(actual.GetProperty("converged").GetBoolean());
        foreach (var file in new[] { "f.npy", "g.npy", "map.npy" })
        {
            AssertSameArray(Path.Combine(expectedDirectory, file), Path.Combine(actualDirectory, file));
        }
    }

    /// <summary>The same array (shape, and values to 1e-9 relative to its largest entry).</summary>
    public static void AssertSameArray(string expectedPath, string actualPath)
    {
        var e = NpyArray.Read(expectedPath, "expected");
        var a = NpyArray.Read(actualPath, "actual");
        Assert.Equal(e.Shape, a.Shape);
        var scale = e.Data.Max(Math.Abs);
        for (var i = 0; i < e.Data.Length; i++)
        {
            Assert.True(Math.Abs(e.Data[i] - a.Data[i]) <= 1e-9 * Math.Max(scale, 1e-300), $"{Path.GetFileName(actualPath)}[{i}]: expected {e.Data[i]:R}, got {a.Data[i]:R}");
        }
    }

    public static System.Text.Json.JsonElement Json(string path)
    {
        using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.Clone();
    }

    private static void Close(double expected, double actual, string what) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-9 * Math.Max(Math.Abs(expected), 1e-300), $"{what}: expected {expected:R}, got {actual:R}");
}
