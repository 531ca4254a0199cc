using Transport.Numerics.Kernels;

namespace Transport.Numerics.Sampling.Coupling;

/// <summary>
/// The exact velocity of the coupled interpolant X_t = a(t) x0 + b(t) x1 + sigma z, where (x0, x1) is drawn from a
/// weighted set of pairs {(x0_k, x1_k, w_k)} (a coupling, for example an <see cref="ExactAssignment"/> of a
/// minibatch) and z ~ N(0, I) is a static latent of fixed bandwidth <see cref="Sigma"/>. Conditioned on X_t = x, the
/// posterior over pairs is r_k = softmax_k(log w_k - |x - a x0_k - b x1_k|^2 / (2 sigma^2)), and since z does not move
/// (gamma' = 0) the velocity E[a' x0 + b' x1 | X_t = x] is
/// v(t, x) = sum_k r_k (a'(t) x0_k + b'(t) x1_k).
/// Because the bandwidth does not vanish at either end the field is smooth on all of [0, 1] (unlike the memorising
/// field of an empirical target, whose bandwidth a(t) vanishes at t = 1).
/// <para>
/// It is one softmax reduction (<see cref="SoftmaxReduction"/>): queries x, keys a x0_k + b x1_k, log-weights
/// log w_k, scale 1 / (2 sigma^2) and values a' x0_k + b' x1_k, with keys and values rebuilt per call (they move
/// with t). Shards holding contiguous ranges of pairs call <see cref="ReduceBlock"/>, the coordinator combines the
/// partials in order (<see cref="SoftmaxPartials.Combine"/>) and calls <see cref="Finish"/>.
/// </para>
/// </summary>
public sealed class CoupledPairsField : IVelocityField
{
    private readonly double[] _starts;
    private readonly double[] _ends;
    private readonly double[] _logWeights;

    /// <summary>
    /// Creates the field from row-major pair endpoints <paramref name="x0"/> (field <c>x0</c>) and
    /// <paramref name="x1"/> (field <c>x1</c>) of dimension <paramref name="dimension"/> and equal count, the latent
    /// bandwidth <paramref name="sigma"/> (field <c>sigma</c>, positive) and optional positive pair weights (field
    /// <c>weights</c>, normalised; uniform when omitted).
    /// </summary>
    public CoupledPairsField(double[] x0, double[] x1, int dimension, double sigma, InterpolantSchedule schedule, double[]? weights = null)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        if (dimension < 1)
        {
            throw new InvalidInputException("dimension", $"dimension {dimension} must be at least 1");
        }

        Count = TargetValidation.Points("x0", x0, dimension);
        if (TargetValidation.Points("x1", x1, dimension) != Count)
        {
            throw new InvalidInputException("x1", $"has {x1.Length / dimension} points, expected {Count} (one per x0)");
        }

        if (!(sigma > 0.0) || !double.IsFinite(sigma))
        {
            throw new InvalidInputException("sigma", $"latent bandwidth {sigma} must be positive and finite");
        }

        double[] normalised;
        if (weights is null)
        {
            normalised = new double[Count];
            Array.Fill(normalised, 1.0 / Count);
        }
        else
        {
            normalised = TargetValidation.Weights("weights", weights, Count);
        }

        _starts = (double[])x0.Clone();
        _ends = (double[])x1.Clone();
        _logWeights = Array.ConvertAll(normalised, Math.Log);
        Dimension = dimension;
        Sigma = sigma;
        Schedule = schedule;
    }

    /// <summary>The dimension d.</summary>
    public int Dimension { get; }

    /// <summary>The number of pairs.</summary>
    public int Count { get; }

    /// <summary>The static latent bandwidth sigma.</summary>
    public double Sigma { get; }

    /// <summary>The interpolant coefficients a(t), b(t) and their derivatives.</summary>
    public InterpolantSchedule Schedule { get; }

    /// <inheritdoc />
    public ValueTask VelocityAsync(double t, ReadOnlyMemory<double> x, Memory<double> velocity, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Velocity(t, x.Span, velocity.Span);
        return ValueTask.CompletedTask;
    }

    /// <summary>v(t, x) for the row-major batch <paramref name="x"/> (field <c>particles</c>), written to <paramref name="velocity"/>.</summary>
    public void Velocity(double t, ReadOnlySpan<double> x, Span<double> velocity)
    {
        TargetValidation.Batch(Dimension, x, velocity);
        Finish(ReduceBlock(t, x, 0, Count), velocity);
    }

    /// <summary>
    /// Computes <see cref="Velocity"/> the way shards and a coordinator do: the pairs are split into
    /// <paramref name="blocks"/> contiguous ranges, each reduced separately, and the partials are combined in order.
    /// </summary>
    public void VelocityInBlocks(double t, ReadOnlySpan<double> x, int blocks, Span<double> velocity)
    {
        TargetValidation.Batch(Dimension, x, velocity);
        if (blocks < 1 || blocks > Count)
        {
            throw new InvalidInputException("blocks", $"block count {blocks} must lie in [1, {Count}]");
        }

        SoftmaxPartials? total = null;
        for (var s = 0; s < blocks; s++)
        {
            var first = (int)((long)Count * s / blocks);
            var end = (int)((long)Count * (s + 1) / blocks);
            var partials = ReduceBlock(t, x, first, end - first);
            if (total is null)
            {
                total = partials;
            }
            else
            {
                total.Combine(partials);
            }
        }

        Finish(total!, velocity);
    }

    /// <summary>
    /// The softmax partials (value dimension d) of the batch <paramref name="x"/> against pairs
    /// [<paramref name="first"/>, <paramref name="first"/> + <paramref name="count"/>) at time <paramref name="t"/>,
    /// with the global pair weights.
    /// </summary>
    public SoftmaxPartials ReduceBlock(double t, ReadOnlySpan<double> x, int first, int count)
    {
        if (first < 0 || count < 0 || first > Count - count)
        {
            throw new InvalidInputException("block", $"pairs [{first}, {first + count}) are not inside [0, {Count})");
        }

        if (x.Length % Dimension != 0)
        {
            throw new InvalidInputException("particles", $"length {x.Length} is not a multiple of the dimension {Dimension}");
        }

        var a = Schedule.A(t);
        var b = Schedule.B(t);
        var da = Schedule.DA(t);
        var db = Schedule.DB(t);
        var d = Dimension;
        var positions = new double[count * d];
        var velocities = new double[count * d];
        for (var i = 0; i < positions.Length; i++)
        {
            var start = _starts[(first * d) + i];
            var end = _ends[(first * d) + i];
            positions[i] = (a * start) + (b * end);
            velocities[i] = (da * start) + (db * end);
        }

        var keys = new KeyPoints<double>(positions, count, d);
        var logWeights = keys.CreateLogWeightBuffer();
        _logWeights.AsSpan(first, count).CopyTo(logWeights);
        var values = keys.LayoutValues(velocities, d);
        var n = x.Length / d;
        var partials = new SoftmaxPartials(n, d);
        var scale = 1.0 / (2.0 * Sigma * Sigma);
        SoftmaxReduction.Reduce(new QueryPoints<double>(x, n, d), keys, logWeights, scale, partials, values);
        return partials;
    }

    /// <summary>Forms v = u / z from combined partials (value dimension d) into <paramref name="velocity"/>.</summary>
    public static void Finish(SoftmaxPartials partials, Span<double> velocity)
    {
        ArgumentNullException.ThrowIfNull(partials);
        var d = partials.ValueDimension;
        if (velocity.Length != partials.Count * d)
        {
            throw new InvalidInputException("velocity", $"length {velocity.Length} differs from {partials.Count} x {d}");
        }

        for (var i = 0; i < partials.Count; i++)
        {
            var inverse = 1.0 / partials.Sum[i];
            for (var k = 0; k < d; k++)
            {
                velocity[(i * d) + k] = partials.Weighted[(i * d) + k] * inverse;
            }
        }
    }
}
