using System.Diagnostics;

namespace Transport.Bench;

/// <summary>
/// Wall and CPU seconds of one run, the process peak working set sampled every 50 ms during it (so a spike
/// shorter than that can be missed), and the working set before it.
/// </summary>
internal sealed record RunMeasurement(double Seconds, double CpuSeconds, long PeakBytes, long BeforeBytes)
{
    /// <summary>How far the peak rose above the working set before the run.</summary>
    public long ExtraBytes => Math.Max(0, PeakBytes - BeforeBytes);

    /// <summary>Runs <paramref name="run"/> after a full collection and measures it.</summary>
    public static (T Result, RunMeasurement Measurement) Of<T>(Func<T> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var before = process.WorkingSet64;
        var peak = before;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                process.Refresh();
                peak = Math.Max(peak, process.WorkingSet64);
                try
                {
                    await Task.Delay(50, stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        });
        var cpu = ProcessCpu.Seconds();
        var watch = Stopwatch.StartNew();
        var result = run();
        watch.Stop();
        cpu = ProcessCpu.Seconds() - cpu;
        stop.Cancel();
        sampler.Wait();
        process.Refresh();
        peak = Math.Max(peak, process.WorkingSet64);
        return (result, new RunMeasurement(watch.Elapsed.TotalSeconds, cpu, peak, before));
    }
}
