using System.Diagnostics;

namespace Transport.Bench;

/// <summary>CPU time of this process (all threads): robust against other processes taking cores.</summary>
internal static class ProcessCpu
{
    public static double Seconds()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime.TotalSeconds;
    }
}
