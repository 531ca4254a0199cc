using System.Diagnostics;
using Transport.Numerics.Randomness;

namespace Transport.Bench;

/// <summary>
/// One denoiser evaluation D(a, b, x) on a batch: <paramref name="x"/> is row-major particles x d and
/// <paramref name="denoised"/> receives D in the same shape. A path (single process now, a cluster later) is
/// benchmarked by handing its evaluation to <see cref="DenoiserBench.MeasureAsync"/> under a row name.
/// </summary>
internal delegate Task DenoiseAsync(double a, double b, ReadOnlyMemory<double> x, Memory<double> denoised);

/// <summary>One timed row of the <c>sampling</c> table.</summary>
/// <param name="Path">Row name ("single-process", later "cluster", ...).</param>
/// <param name="Dimension">d.</param>
/// <param name="Points">Data points M.</param>
/// <param name="Particles">Particles N per evaluation.</param>
/// <param name="Repetitions">Timed evaluations (after one untimed warm-up).</param>
/// <param name="Seconds">Fastest timed evaluation.</param>
/// <param name="ParticlesPerSecond">N / seconds: particle denoiser evaluations per second.</param>
/// <param name="PairsPerSecond">N M / seconds: particle x data-point pairs per second.</param>
/// <param name="RatioToExp">Pairs per second over the all-thread float64 exp throughput of the same run.</param>
/// <param name="MaxDeviation">Largest |D - D(first row)| over all entries; NaN for the first row (the reference).</param>
internal sealed record DenoiserResult(
    string Path,
    int Dimension,
    int Points,
    int Particles,
    int Repetitions,
    double Seconds,
    double ParticlesPerSecond,
    double PairsPerSecond,
    double RatioToExp,
    double MaxDeviation);

/// <summary>
/// The empirical denoiser problem of one row and the timing of any evaluation path on it: data N(0, I_d) points
/// with uniform weights, particles on the linear-schedule path at t = 1/2 (X = x0 / 2 + y / 2 for a data point y and
/// standard noise x0), so the softmax is neither flat nor a hard nearest neighbour.
/// </summary>
internal sealed class DenoiserBench
{
    /// <summary>Time of the evaluated marginal on the linear schedule (a = 1 - t, b = t).</summary>
    private const double Time = 0.5;

    /// <summary>Particles of the untimed warm-up evaluation (compiles every code path; tiered JIT is off in bench).</summary>
    private const int WarmUpParticles = 64;

    /// <summary>The first measured row's output: later rows (other paths) are checked against it.</summary>
    private double[]? _reference;

    private DenoiserBench(int dimension, double[] points, double[] particles)
    {
        Dimension = dimension;
        Points = points;
        Particles = particles;
    }

    /// <summary>d.</summary>
    public int Dimension { get; }

    /// <summary>Row-major data points (M x d), N(0, I).</summary>
    public double[] Points { get; }

    /// <summary>Row-major particles (N x d) at t = 1/2.</summary>
    public double[] Particles { get; }

    /// <summary>Noise coefficient a(t).</summary>
    public static double A => 1.0 - Time;

    /// <summary>Data coefficient b(t).</summary>
    public static double B => Time;

    /// <summary>Builds the row's data and particles from counter-based normals (deterministic).</summary>
    public static DenoiserBench Create(int dimension, int points, int particles)
    {
        var data = new double[(long)points * dimension];
        CounterRandom.FillNormals(seed: 41, firstId: 0, step: 0, stage: 0, dimension, data);
        var noise = new double[(long)particles * dimension];
        CounterRandom.FillNormals(seed: 42, firstId: 0, step: 0, stage: 0, dimension, noise);
        var x = new double[noise.Length];
        for (var i = 0; i < particles; i++)
        {
            var j = (int)(CounterRandom.Hash(43, i, 0, 0, 0) % (ulong)points);
            for (var k = 0; k < dimension; k++)
            {
                x[(i * dimension) + k] = (A * noise[(i * dimension) + k]) + (B * data[(j * dimension) + k]);
            }
        }

        return new DenoiserBench(dimension, data, x);
    }

    /// <summary>
    /// Times <paramref name="evaluate"/> on the row's particles under the name <paramref name="path"/>: one untimed
    /// warm-up on <see cref="WarmUpParticles"/> particles, then <paramref name="repetitions"/> timed full evaluations;
    /// the fastest is reported. The first row measured becomes the reference that later rows are compared with.
    /// </summary>
    public async Task<DenoiserResult> MeasureAsync(string path, int repetitions, double expPerSecond, DenoiseAsync evaluate)
    {
        var count = Particles.Length / Dimension;
        var warmUp = Math.Min(WarmUpParticles, count) * Dimension;
        await evaluate(A, B, Particles.AsMemory(0, warmUp), new double[warmUp]);
        var denoised = new double[Particles.Length];
        var best = double.PositiveInfinity;
        for (var r = 0; r < repetitions; r++)
        {
            var start = Stopwatch.GetTimestamp();
            await evaluate(A, B, Particles, denoised);
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalSeconds);
        }

        CheckFinite(path, denoised);
        var deviation = double.NaN;
        if (_reference is null)
        {
            _reference = denoised;
        }
        else
        {
            deviation = 0.0;
            for (var i = 0; i < denoised.Length; i++)
            {
                deviation = Math.Max(deviation, Math.Abs(denoised[i] - _reference[i]));
            }
        }

        var pointCount = Points.Length / Dimension;
        var pairs = (double)count * pointCount / best;
        return new DenoiserResult(path, Dimension, pointCount, count, repetitions, best, count / best, pairs, pairs / expPerSecond, deviation);
    }

    /// <summary>A path that returned non-finite values did not compute a denoiser: fail loudly rather than print a rate.</summary>
    private static void CheckFinite(string path, double[] denoised)
    {
        foreach (var value in denoised)
        {
            if (!double.IsFinite(value))
            {
                throw new InvalidOperationException($"path '{path}' returned a non-finite denoiser value");
            }
        }
    }
}
