using System.Buffers.Binary;
using System.Text;

namespace Transport.Client.Tests.Hostile;

/// <summary>
/// The table of malformed console requests (issue 12, "Must show: hostile input"), one file per command: each names what
/// is wrong and the field its error must name (<see cref="HostileCommand"/>).
/// </summary>
internal static partial class HostileCommands
{
    /// <summary>Every case, in a fixed order.</summary>
    public static IReadOnlyList<HostileCommand> All { get; } = [.. NpyFiles, .. CloudValues, .. SinkhornOptions, .. FlowSpecs, .. SampleRequests];

    /// <summary>The case named <paramref name="name"/>.</summary>
    public static HostileCommand Named(string name) => All.Single(c => c.Name == name);

    /// <summary>
    /// <c>transport VERB</c> with <paramref name="defaults"/> changed by <paramref name="changes"/> (option names without
    /// dashes; a null value removes the option, an empty one makes it a flag), then <c>--out</c> and <c>--quiet</c>.
    /// </summary>
    private static string[] Command(string verb, Workspace work, (string Name, string Value)[] defaults, (string Name, string? Value)[] changes)
    {
        var options = defaults.Select(d => (d.Name, Value: (string?)d.Value)).ToList();
        foreach (var (name, value) in changes)
        {
            var at = options.FindIndex(o => o.Name == name);
            if (at >= 0)
            {
                options[at] = (name, value);
            }
            else
            {
                options.Add((name, value));
            }
        }

        return [verb, .. options.Where(o => o.Value is not null).SelectMany(o => o.Value!.Length == 0 ? new[] { "--" + o.Name } : ["--" + o.Name, o.Value]), "--out", work.Out, "--quiet"];
    }

    /// <summary>A .npy image (version 1.0) with the given descriptor and shape text, followed by <paramref name="dataBytes"/> zero bytes.</summary>
    private static byte[] Npy(string descr, string shape, int dataBytes) => NpyBytes.Image(descr, false, shape, new byte[dataBytes]);

    /// <summary>The 10-byte preamble of a version <paramref name="major"/>.0 .npy file declaring a header of <paramref name="headerLength"/> bytes.</summary>
    private static byte[] Preamble(byte major, ushort headerLength)
    {
        var bytes = new byte[10];
        bytes[0] = 0x93;
        Encoding.ASCII.GetBytes("NUMPY", bytes.AsSpan(1));
        bytes[6] = major;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), headerLength);
        return bytes;
    }

    /// <summary>A version 1.0 .npy image whose header is <paramref name="dictionary"/> as given (padded to 64-byte alignment), then <paramref name="dataBytes"/> zero bytes.</summary>
    private static byte[] RawNpy(string dictionary, int dataBytes)
    {
        var unpadded = 10 + dictionary.Length + 1;
        var header = dictionary + new string(' ', (64 - (unpadded % 64)) % 64) + "\n";
        return [.. Preamble(1, (ushort)header.Length), .. Encoding.ASCII.GetBytes(header), .. new byte[dataBytes]];
    }

    /// <summary>Writes <paramref name="text"/> as <paramref name="name"/> in the workspace and returns its path.</summary>
    private static string Text(Workspace work, string name, string text)
    {
        var path = work.Path2(name);
        File.WriteAllText(path, text);
        return path;
    }
}
