using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Transport.Bench;

/// <summary>Facts about the machine printed in the header.</summary>
/// <param name="ProcessorCount">Environment.ProcessorCount.</param>
/// <param name="Vector256Accelerated">Vector256.IsHardwareAccelerated.</param>
/// <param name="Vector512Accelerated">Vector512.IsHardwareAccelerated.</param>
/// <param name="Runtime">.NET runtime description.</param>
/// <param name="Os">Operating system and architecture.</param>
/// <param name="LoadAverage">/proc/loadavg at start, when readable.</param>
internal sealed record MachineInfo(
    int ProcessorCount,
    bool Vector256Accelerated,
    bool Vector512Accelerated,
    string Runtime,
    string Os,
    string LoadAverage)
{
    public static MachineInfo Current() => new(
        Environment.ProcessorCount,
        Vector256.IsHardwareAccelerated,
        Vector512.IsHardwareAccelerated,
        RuntimeInformation.FrameworkDescription,
        $"{RuntimeInformation.OSDescription} {RuntimeInformation.ProcessArchitecture}",
        ReadLoadAverage());

    private static string ReadLoadAverage()
    {
        try
        {
            return File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "unknown";
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
