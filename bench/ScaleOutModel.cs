namespace Transport.Bench;

/// <summary>
/// One measured dense Sinkhorn run of <c>bench scale-out</c>, per iteration (differential: a K0 + K minus a K0-iteration
/// job, divided by K).
/// </summary>
/// <param name="Cluster">Where it ran ("embedded" or "3 processes").</param>
/// <param name="Size">N = M.</param>
/// <param name="Shards">Shards per cloud, S.</param>
/// <param name="SecondsPerIteration">Wall seconds per iteration.</param>
/// <param name="KernelEvaluationsPerIteration">Point-pair kernel evaluations per iteration, over all shards.</param>
/// <param name="MessagesPerShardPerIteration">Calls a shard received per iteration (all 2S shards' mean).</param>
/// <param name="BytesPerShardPerIteration">Their payload bytes (arguments and results) per shard per iteration.</param>
internal sealed record ScaleOutRun(
    string Cluster,
    int Size,
    int Shards,
    double SecondsPerIteration,
    double KernelEvaluationsPerIteration,
    double MessagesPerShardPerIteration,
    double BytesPerShardPerIteration);

/// <summary>A network's cost per message (latency) and per byte (inverse bandwidth).</summary>
internal sealed record NetworkCost(string Name, double SecondsPerMessage, double SecondsPerByte)
{
    /// <summary>A stated datacenter network: 50 µs per message, 10 GbE (1.25 GB/s).</summary>
    public static NetworkCost Datacenter { get; } = new("datacenter (50 us/message, 10 GbE)", 50e-6, 1 / 1.25e9);

    /// <summary>No communication cost at all.</summary>
    public static NetworkCost Free { get; } = new("free", 0, 0);

    /// <summary>Both costs paid per message and per byte (a silo's own messaging plus the network between silos).</summary>
    public NetworkCost Plus(NetworkCost other, string name)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new NetworkCost(name, SecondsPerMessage + other.SecondsPerMessage, SecondsPerByte + other.SecondsPerByte);
    }
}

/// <summary>
/// What leaving the process adds: alpha, beta fitted to t(process run) - t(embedded run) at the same N and S, whose
/// traffic per shard is the same (the in-silo costs and the compute cancel out).
/// </summary>
/// <param name="Network">alpha_net (seconds per message) and beta_net (seconds per byte).</param>
/// <param name="Points">Process runs with an embedded twin.</param>
/// <param name="RmsResidualSeconds">Root mean square of the differences the fit leaves.</param>
internal sealed record RemoteFit(NetworkCost Network, int Points, double RmsResidualSeconds);

/// <summary>
/// The latency-bandwidth fit: t_iter = c E + alpha m + beta b, with E kernel evaluations per iteration, m messages and b
/// bytes per shard per iteration.
/// </summary>
/// <param name="SecondsPerEvaluation">c: seconds per kernel evaluation with all of this machine's cores.</param>
/// <param name="Network">alpha (seconds per message) and beta (seconds per byte).</param>
/// <param name="Points">Runs alpha and beta were fitted to (all but the reference run, which fixes c).</param>
/// <param name="RSquared">R^2 of the fit of the runs' time beyond the reference's compute scaling (NaN when constant).</param>
/// <param name="RmsResidualSeconds">Root mean square of the runs' residuals, t_iter - model.</param>
internal sealed record LatencyBandwidthFit(double SecondsPerEvaluation, NetworkCost Network, int Points, double RSquared, double RmsResidualSeconds)
{
    /// <summary>The cost of leaving the process (null: no process runs).</summary>
    public RemoteFit? Remote { get; init; }

    /// <summary>The model's seconds per iteration of <paramref name="run"/>'s measured work and traffic (a process run pays <see cref="Remote"/> too).</summary>
    public double Predict(ScaleOutRun run, bool remote = false)
    {
        ArgumentNullException.ThrowIfNull(run);
        var network = remote && Remote is { } extra ? Network.Plus(extra.Network, "local + remote") : Network;
        return (SecondsPerEvaluation * run.KernelEvaluationsPerIteration)
            + (network.SecondsPerMessage * run.MessagesPerShardPerIteration)
            + (network.SecondsPerByte * run.BytesPerShardPerIteration);
    }
}

/// <summary>
/// How the dense solver's traffic per shard per iteration scales: messages = a + b S chunks (one step call or two, and
/// one potential pull from each partner shard per chunk of <see cref="RowsPerChunk"/> values), bytes = k N (each shard
/// serves its N/S potentials to the S partner shards: the other cloud's whole potential per shard).
/// </summary>
/// <param name="MessagesIntercept">a.</param>
/// <param name="MessagesPerPartnerChunk">b.</param>
/// <param name="BytesPerPoint">k.</param>
/// <param name="RowsPerChunk">Potential values per pull call.</param>
internal sealed record TrafficFit(double MessagesIntercept, double MessagesPerPartnerChunk, double BytesPerPoint, int RowsPerChunk)
{
    /// <summary>Pull calls per partner shard: ceil((N / S) / rows per chunk).</summary>
    public double Chunks(double size, int shards) => Math.Max(1, Math.Ceiling(size / shards / RowsPerChunk));

    public double Messages(double size, int shards) => MessagesIntercept + (MessagesPerPartnerChunk * shards * Chunks(size, shards));

    public double Bytes(double size) => BytesPerPoint * size;
}

/// <summary>
/// The scale-out prediction: P silos, each one source and one target shard (S = P) with this machine's cores,
/// T(N, P) = c e N^2 / P + alpha m(N, P) + beta b(N), no overlap of communication and computation.
/// </summary>
/// <param name="SecondsPerEvaluation">c.</param>
/// <param name="EvaluationsPerPair">e: kernel evaluations per point pair per iteration (2: one c-transform each way).</param>
/// <param name="Traffic">m(N, P) and b(N).</param>
internal sealed record ScaleOutModel(double SecondsPerEvaluation, double EvaluationsPerPair, TrafficFit Traffic)
{
    /// <summary>The silo count weak scaling is measured from.</summary>
    public const int WeakReferenceSilos = 16;

    /// <summary>T(N, P), seconds per iteration of N = M points on <paramref name="silos"/> silos.</summary>
    public double SecondsPerIteration(NetworkCost network, double size, int silos) =>
        (SecondsPerEvaluation * EvaluationsPerPair * size * size / silos)
        + (network.SecondsPerMessage * Traffic.Messages(size, silos))
        + (network.SecondsPerByte * Traffic.Bytes(size));

    /// <summary>E_s(P) = T(N, 1) / (P T(N, P)).</summary>
    public double StrongEfficiency(NetworkCost network, double size, int silos) =>
        SecondsPerIteration(network, size, 1) / (silos * SecondsPerIteration(network, size, silos));

    /// <summary>N_P = N sqrt(P / 16): each silo's N_P^2 / P kernel evaluations stay those of N on 16 silos.</summary>
    public static double WeakSize(double size, int silos) => size * Math.Sqrt((double)silos / WeakReferenceSilos);

    /// <summary>E_w(P) = T(N, 16) / T(N_P, P).</summary>
    public double WeakEfficiency(NetworkCost network, double size, int silos) =>
        SecondsPerIteration(network, size, WeakReferenceSilos) / SecondsPerIteration(network, WeakSize(size, silos), silos);
}

/// <summary>The fits of <c>bench scale-out</c>: pure arithmetic on the measured runs.</summary>
internal static class ScaleOutFit
{
    /// <summary>
    /// c, alpha and beta from the runs. c comes from <paramref name="reference"/> (the 1-shard embedded run): c =
    /// (t_ref - alpha m_ref - beta b_ref) / E_ref. Substituting it, every other run i gives t_i - w_i t_ref = alpha (m_i
    /// - w_i m_ref) + beta (b_i - w_i b_ref) with w_i = E_i / E_ref, fitted by non-negative least squares.
    /// </summary>
    public static LatencyBandwidthFit LatencyBandwidth(IReadOnlyList<ScaleOutRun> runs, ScaleOutRun reference, string networkName)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(reference);
        // The in-silo costs: the reference's own cluster only (a process run pays more per message, see Remote).
        var others = runs.Where(r => !ReferenceEquals(r, reference) && r.Cluster == reference.Cluster).ToArray();
        var y = new double[others.Length];
        var messages = new double[others.Length];
        var bytes = new double[others.Length];
        for (var i = 0; i < others.Length; i++)
        {
            var w = others[i].KernelEvaluationsPerIteration / reference.KernelEvaluationsPerIteration;
            y[i] = others[i].SecondsPerIteration - (w * reference.SecondsPerIteration);
            messages[i] = others[i].MessagesPerShardPerIteration - (w * reference.MessagesPerShardPerIteration);
            bytes[i] = others[i].BytesPerShardPerIteration - (w * reference.BytesPerShardPerIteration);
        }

        var (alpha, beta) = NonNegativeLeastSquares(messages, bytes, y);
        var c = (reference.SecondsPerIteration - (alpha * reference.MessagesPerShardPerIteration) - (beta * reference.BytesPerShardPerIteration)) / reference.KernelEvaluationsPerIteration;
        var residual = 0.0;
        var mean = y.Length == 0 ? 0 : y.Average();
        var total = 0.0;
        for (var i = 0; i < y.Length; i++)
        {
            var r = y[i] - (alpha * messages[i]) - (beta * bytes[i]);
            residual += r * r;
            total += (y[i] - mean) * (y[i] - mean);
        }

        var rSquared = total > 0 ? 1 - (residual / total) : double.NaN;
        var rms = y.Length == 0 ? 0 : Math.Sqrt(residual / y.Length);
        return new LatencyBandwidthFit(c, new NetworkCost(networkName, alpha, beta), others.Length, rSquared, rms);
    }

    /// <summary>
    /// alpha_net, beta_net from the process runs: each paired with the embedded run of the same N and S, the time
    /// difference fitted to that run's messages and bytes per shard per iteration (non-negative least squares). Null
    /// when no process run has an embedded twin.
    /// </summary>
    public static RemoteFit? Remote(IReadOnlyList<ScaleOutRun> runs, string embedded, string networkName)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var pairs = (from process in runs
                     where process.Cluster != embedded
                     let twin = runs.FirstOrDefault(r => r.Cluster == embedded && r.Size == process.Size && r.Shards == process.Shards)
                     where twin is not null
                     select (Process: process, Twin: twin)).ToArray();
        if (pairs.Length == 0)
        {
            return null;
        }

        var y = pairs.Select(p => p.Process.SecondsPerIteration - p.Twin.SecondsPerIteration).ToArray();
        var messages = pairs.Select(p => p.Process.MessagesPerShardPerIteration).ToArray();
        var bytes = pairs.Select(p => p.Process.BytesPerShardPerIteration).ToArray();
        var (alpha, beta) = NonNegativeLeastSquares(messages, bytes, y);
        var residual = y.Select((v, i) => v - (alpha * messages[i]) - (beta * bytes[i])).Sum(r => r * r);
        return new RemoteFit(new NetworkCost(networkName, alpha, beta), pairs.Length, Math.Sqrt(residual / pairs.Length));
    }

    /// <summary>
    /// Messages per shard per iteration a + b x with x = S chunks (ordinary least squares; b = 0 when every run has the
    /// same x), and bytes per shard per iteration k N (least squares through the origin).
    /// </summary>
    public static TrafficFit Traffic(IReadOnlyList<ScaleOutRun> runs, int rowsPerChunk)
    {
        ArgumentNullException.ThrowIfNull(runs);
        if (runs.Count == 0)
        {
            throw new ArgumentException("no runs to fit", nameof(runs));
        }

        var shape = new TrafficFit(0, 0, 0, rowsPerChunk);
        var x = runs.Select(r => r.Shards * shape.Chunks(r.Size, r.Shards)).ToArray();
        var m = runs.Select(r => r.MessagesPerShardPerIteration).ToArray();
        var meanX = x.Average();
        var meanM = m.Average();
        var sxx = x.Sum(v => (v - meanX) * (v - meanX));
        var sxm = x.Zip(m, (a, b) => (a - meanX) * (b - meanM)).Sum();
        var slope = sxx > 0 ? sxm / sxx : 0;
        var k = runs.Sum(r => r.BytesPerShardPerIteration * r.Size) / runs.Sum(r => (double)r.Size * r.Size);
        return shape with { MessagesIntercept = meanM - (slope * meanX), MessagesPerPartnerChunk = slope, BytesPerPoint = k };
    }

    /// <summary>
    /// argmin over a, b >= 0 of |y - a x1 - b x2|^2, exactly: the optimum is the unconstrained one when feasible, else
    /// lies on a face (a = 0 or b = 0, or both), so the best of those candidates is it.
    /// </summary>
    public static (double A, double B) NonNegativeLeastSquares(IReadOnlyList<double> x1, IReadOnlyList<double> x2, IReadOnlyList<double> y)
    {
        ArgumentNullException.ThrowIfNull(x1);
        ArgumentNullException.ThrowIfNull(x2);
        ArgumentNullException.ThrowIfNull(y);
        double s11 = 0, s22 = 0, s12 = 0, r1 = 0, r2 = 0;
        for (var i = 0; i < y.Count; i++)
        {
            s11 += x1[i] * x1[i];
            s22 += x2[i] * x2[i];
            s12 += x1[i] * x2[i];
            r1 += x1[i] * y[i];
            r2 += x2[i] * y[i];
        }

        var candidates = new List<(double A, double B)> { (0, 0) };
        if (s11 > 0)
        {
            candidates.Add((Math.Max(0, r1 / s11), 0));
        }

        if (s22 > 0)
        {
            candidates.Add((0, Math.Max(0, r2 / s22)));
        }

        var determinant = (s11 * s22) - (s12 * s12);
        if (determinant > 1e-12 * s11 * s22)
        {
            var a = ((r1 * s22) - (r2 * s12)) / determinant;
            var b = ((r2 * s11) - (r1 * s12)) / determinant;
            if (a >= 0 && b >= 0)
            {
                candidates.Add((a, b));
            }
        }

        double Error((double A, double B) p)
        {
            var sum = 0.0;
            for (var i = 0; i < y.Count; i++)
            {
                var r = y[i] - (p.A * x1[i]) - (p.B * x2[i]);
                sum += r * r;
            }

            return sum;
        }

        return candidates.MinBy(Error);
    }
}
