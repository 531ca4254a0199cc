using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Transport.Numerics.IO;

namespace Transport.Client.Tests;

/// <summary>What one in-process run of the console produced.</summary>
internal sealed record CliRun(int ExitCode, string Stdout, string Stderr);

/// <summary>A temporary folder with an input sub-folder and an output path that does not exist yet.</summary>
internal sealed class Workspace : IDisposable
{
    public Workspace()
    {
        Root = Path.Combine(Path.GetTempPath(), $"transport-client-tests-{Guid.NewGuid():N}");
        Input = Path.Combine(Root, "in");
        Out = Path.Combine(Root, "out");
        Directory.CreateDirectory(Input);
    }

    public string Root { get; }

    public string Input { get; }

    public string Out { get; }

    public string Path2(string name) => Path.Combine(Input, name);

    /// <summary>Writes a float64 matrix (rows x columns) as .npy and returns its path.</summary>
    public string Npy(string name, double[] data, params int[] shape)
    {
        var path = Path2(name);
        NpyArray.WriteFloat64(path, data, shape);
        return path;
    }

    /// <summary>Writes raw bytes (for malformed files) and returns the path.</summary>
    public string Bytes(string name, byte[] bytes)
    {
        var path = Path2(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Nothing was written: no output directory and no staging folder next to it.</summary>
    public void AssertNoOutput()
    {
        Assert.False(Directory.Exists(Out) && Directory.EnumerateFileSystemEntries(Out).Any(), $"{Out} has files");
        var strays = Directory.EnumerateFileSystemEntries(Root).Where(entry => Path.GetFileName(entry) != "in" && Path.GetFileName(entry) != "out").ToArray();
        Assert.True(strays.Length == 0, $"stray entries: {string.Join(", ", strays)}");
        Assert.Empty(Directory.EnumerateFiles(Input, "*.tmp"));
    }

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
}

internal static class Cli
{
    /// <summary>Runs <c>transport</c> in-process.</summary>
    public static async Task<CliRun> RunAsync(params string[] args) => await RunAsync(CancellationToken.None, args);

    /// <summary>Runs <c>transport</c> in-process with a cancellation token (Ctrl+C).</summary>
    public static async Task<CliRun> RunAsync(CancellationToken cancellationToken, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await TransportCli.RunAsync(args, stdout, stderr, cancellationToken);
        return new CliRun(code, stdout.ToString(), stderr.ToString());
    }

    public static JsonElement ReadJson(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.Clone();
    }

    public static void AssertClose(double expected, double actual, double tolerance, double floor, string what)
    {
        var scale = Math.Max(Math.Abs(expected), floor);
        Assert.True(Math.Abs(expected - actual) <= tolerance * scale, $"{what}: expected {expected:R}, got {actual:R}");
    }
}

/// <summary>Hand-made .npy images, including malformed ones.</summary>
internal static class NpyBytes
{
    /// <summary>A version 1.0 image with the given header fields and raw data bytes.</summary>
    public static byte[] Image(string descr, bool fortranOrder, string shape, byte[] data)
    {
        var dict = $"{{'descr': '{descr}', 'fortran_order': {(fortranOrder ? "True" : "False")}, 'shape': {shape}, }}";
        var unpadded = 10 + dict.Length + 1;
        var padding = (64 - (unpadded % 64)) % 64;
        var header = dict + new string(' ', padding) + "\n";
        var bytes = new byte[10 + header.Length + data.Length];
        bytes[0] = 0x93;
        Encoding.ASCII.GetBytes("NUMPY", bytes.AsSpan(1));
        bytes[6] = 1;
        bytes[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)header.Length);
        Encoding.ASCII.GetBytes(header, bytes.AsSpan(10));
        data.CopyTo(bytes.AsSpan(10 + header.Length));
        return bytes;
    }

    public static byte[] Float64(params double[] values)
    {
        var bytes = new byte[values.Length * 8];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(i * 8), values[i]);
        }

        return bytes;
    }

    public static byte[] Int64(params long[] values)
    {
        var bytes = new byte[values.Length * 8];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * 8), values[i]);
        }

        return bytes;
    }
}

/// <summary>Seeded clouds for the end-to-end tests.</summary>
internal static class Clouds
{
    public static (double[] X, double[] Y, double[] A, double[] B) Make(int n, int m, int dim, int seed)
    {
        var random = new Random(seed);
        double Next() => (2 * random.NextDouble()) - 1;
        var x = Enumerable.Range(0, n * dim).Select(_ => Next()).ToArray();
        var y = Enumerable.Range(0, m * dim).Select(_ => 0.5 + Next()).ToArray();
        var a = Enumerable.Range(0, n).Select(_ => 0.2 + random.NextDouble()).ToArray();
        var b = Enumerable.Range(0, m).Select(_ => 0.2 + random.NextDouble()).ToArray();
        return (x, y, a, b);
    }
}

/// <summary>Reads what the console writes beyond the library's reader (which takes clouds: 1-D and 2-D float arrays).</summary>
internal static class NpyFiles
{
    /// <summary>A float64 C-order .npy of any rank, by its header.</summary>
    public static (int[] Shape, double[] Data) ReadFloat64(string path)
    {
        var (shape, body) = Read(path, "<f8");
        var data = new double[body.Length / sizeof(double)];
        Buffer.BlockCopy(body, 0, data, 0, body.Length);
        return (shape, data);
    }

    /// <summary>An int64 C-order .npy (indices) of any rank.</summary>
    public static (int[] Shape, long[] Data) ReadInt64(string path)
    {
        var (shape, body) = Read(path, "<i8");
        var data = new long[body.Length / sizeof(long)];
        for (var k = 0; k < data.Length; k++)
        {
            data[k] = BinaryPrimitives.ReadInt64LittleEndian(body.AsSpan(8 * k, 8));
        }

        return (shape, data);
    }

    private static (int[] Shape, byte[] Body) Read(string path, string descriptor)
    {
        var bytes = File.ReadAllBytes(path);
        var headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8, 2));
        var header = Encoding.ASCII.GetString(bytes, 10, headerLength);
        Assert.Contains($"'descr': '{descriptor}'", header, StringComparison.Ordinal);
        Assert.Contains("'fortran_order': False", header, StringComparison.Ordinal);
        var shapeText = header[(header.IndexOf("'shape': (", StringComparison.Ordinal) + 10)..];
        shapeText = shapeText[..shapeText.IndexOf(')', StringComparison.Ordinal)];
        var shape = shapeText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToArray();
        return (shape, bytes[(10 + headerLength)..]);
    }
}
