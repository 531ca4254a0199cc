using Transport.Numerics.Randomness;

namespace Transport.Numerics.Sampling;

/// <summary>
/// The per-block engine of every sampler: a contiguous block of particles (global ids firstId, firstId + 1, ...)
/// advanced step by step on the time points a <see cref="SamplingDriver"/> hands it. In process the driver talks to
/// these blocks directly; on a cluster each particle shard owns one, so the single-process and distributed runs
/// execute the same arithmetic per particle. All randomness is <see cref="CounterRandom"/>(seed, particle id,
/// step, stream, component): stream 0 for the SDE and DDIM noise of a step, stream 1 + m for corrector step m.
/// </summary>
public sealed class ParticleBlockSampler
{
    private const int NoiseStream = 0;

    private readonly IVelocityField _field;
    private readonly InterpolantField? _interpolant;
    private readonly SamplingOptions _options;
    private readonly int _dimension;
    private readonly double[][] _k;
    private double[] _x;
    private double[] _next;
    private readonly double[] _stage;
    private double _proposedKinetic;

    /// <summary>
    /// Creates the block from its row-major <paramref name="positions"/> (copied; count x d) and the global id of its
    /// first particle. Samplers that need the denoiser (DDIM, SDE, correctors, snapping) require an
    /// <see cref="InterpolantField"/>.
    /// </summary>
    public ParticleBlockSampler(IVelocityField field, SamplingOptions options, ReadOnlySpan<double> positions, long firstId)
    {
        _field = field ?? throw new InvalidInputException("field", "is missing");
        _options = options ?? throw new InvalidInputException("options", "is missing");
        options.Validate();
        _interpolant = field as InterpolantField;
        if (options.NeedsDenoiser && _interpolant is null)
        {
            throw new InvalidInputException(
                "sampler",
                $"{options.Sampler.ToString().ToLowerInvariant()} with correctors/snapping needs the denoiser of an independent-coupling interpolant; this field only has a velocity");
        }

        _dimension = field.Dimension;
        if (positions.Length == 0 || positions.Length % _dimension != 0)
        {
            throw new InvalidInputException("particles", $"length {positions.Length} is not a positive multiple of d = {_dimension}");
        }

        foreach (var value in positions)
        {
            if (!double.IsFinite(value))
            {
                throw new InvalidInputException("particles", $"contains {value}, not a finite number");
            }
        }

        if (firstId < 0)
        {
            throw new InvalidInputException("first-id", $"first particle id {firstId} must be non-negative");
        }

        FirstId = firstId;
        _x = positions.ToArray();
        var length = _x.Length;
        var stages = options.Sampler == SamplerKind.Adaptive ? 7 : options.Sampler == SamplerKind.Rk4 ? 4 : options.Sampler == SamplerKind.Heun ? 2 : 1;
        _k = new double[stages][];
        for (var s = 0; s < stages; s++)
        {
            _k[s] = new double[length];
        }

        _stage = new double[length];
        _next = options.Sampler == SamplerKind.Adaptive ? new double[length] : [];
    }

    /// <summary>The global id of the first particle.</summary>
    public long FirstId { get; }

    /// <summary>Number of particles in the block.</summary>
    public int Count => _x.Length / _dimension;

    /// <summary>The dimension.</summary>
    public int Dimension => _dimension;

    /// <summary>The current positions, row-major (a live view: copy before the next step if kept).</summary>
    public ReadOnlyMemory<double> Positions => _x;

    /// <summary>Advances the block by one step of the fixed-step sampler from <paramref name="t"/> to <paramref name="next"/>.</summary>
    public async ValueTask<StepTotals> StepAsync(int index, double t, double next, CancellationToken cancellationToken)
    {
        var h = next - t;
        var x = _x;
        double kinetic;
        switch (_options.Sampler)
        {
            case SamplerKind.Euler:
                await _field.VelocityAsync(t, x, _k[0], cancellationToken).ConfigureAwait(false);
                kinetic = h * SumOfSquares(_k[0]);
                Update(x, x, h, _k[0]);
                break;

            case SamplerKind.Heun:
                await _field.VelocityAsync(t, x, _k[0], cancellationToken).ConfigureAwait(false);
                Update(_stage, x, h, _k[0]);
                await _field.VelocityAsync(next, _stage, _k[1], cancellationToken).ConfigureAwait(false);
                kinetic = 0.5 * h * (SumOfSquares(_k[0]) + SumOfSquares(_k[1]));
                for (var i = 0; i < x.Length; i++)
                {
                    x[i] += 0.5 * h * (_k[0][i] + _k[1][i]);
                }

                break;

            case SamplerKind.Rk4:
                var middle = t + (0.5 * h);
                await _field.VelocityAsync(t, x, _k[0], cancellationToken).ConfigureAwait(false);
                Update(_stage, x, 0.5 * h, _k[0]);
                await _field.VelocityAsync(middle, _stage, _k[1], cancellationToken).ConfigureAwait(false);
                Update(_stage, x, 0.5 * h, _k[1]);
                await _field.VelocityAsync(middle, _stage, _k[2], cancellationToken).ConfigureAwait(false);
                Update(_stage, x, h, _k[2]);
                await _field.VelocityAsync(next, _stage, _k[3], cancellationToken).ConfigureAwait(false);
                kinetic = h / 6.0 * (SumOfSquares(_k[0]) + (2.0 * SumOfSquares(_k[1])) + (2.0 * SumOfSquares(_k[2])) + SumOfSquares(_k[3]));
                for (var i = 0; i < x.Length; i++)
                {
                    x[i] += h / 6.0 * (_k[0][i] + (2.0 * _k[1][i]) + (2.0 * _k[2][i]) + _k[3][i]);
                }

                break;

            case SamplerKind.Ddim:
                kinetic = await DdimStepAsync(index, t, next, cancellationToken).ConfigureAwait(false);
                break;

            case SamplerKind.Sde:
                kinetic = await SdeStepAsync(index, t, next, cancellationToken).ConfigureAwait(false);
                break;

            default:
                throw new InvalidOperationException("the adaptive sampler proposes and commits steps instead");
        }

        return new StepTotals(kinetic, Count);
    }

    /// <summary>
    /// Annealed Langevin corrector at time <paramref name="t"/>: <see cref="SamplingOptions.CorrectorSteps"/>
    /// unadjusted Langevin steps x &lt;- x + h s(t, x) + sqrt(2 h) xi with h = 2 (r a(t))^2 (math.md 2.4).
    /// </summary>
    public async ValueTask CorrectAsync(int index, double t, CancellationToken cancellationToken)
    {
        var field = Interpolant;
        var a = field.NoiseCoefficient(t);
        var h = 2.0 * (_options.CorrectorSnr * a) * (_options.CorrectorSnr * a);
        var amplitude = Math.Sqrt(2.0 * h);
        var score = _k[0];
        for (var m = 0; m < _options.CorrectorSteps; m++)
        {
            await field.ScoreAsync(t, _x, score, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < _x.Length; i++)
            {
                var noise = CounterRandom.Normal(_options.Seed, FirstId + (i / _dimension), index, 1 + m, i % _dimension);
                _x[i] += (h * score[i]) + (amplitude * noise);
            }
        }
    }

    /// <summary>The final snapping step x &lt;- D(t, x) (math.md 2.3c).</summary>
    public ValueTask SnapAsync(double t, CancellationToken cancellationToken) =>
        Interpolant.DenoiseAsync(t, _x.ToArray(), _x, cancellationToken);

    /// <summary>
    /// Starts an adaptive run at <paramref name="t"/>: evaluates the first stage and returns the scaled squared norms
    /// of the state (First) and velocity (Second) for the initial step-size heuristic.
    /// </summary>
    public async ValueTask<NormTotals> StartAdaptiveAsync(double t, CancellationToken cancellationToken)
    {
        await _field.VelocityAsync(t, _x, _k[0], cancellationToken).ConfigureAwait(false);
        var state = 0.0;
        var velocity = 0.0;
        for (var i = 0; i < _x.Length; i++)
        {
            var scale = _options.AbsoluteTolerance + (_options.RelativeTolerance * Math.Abs(_x[i]));
            state += (_x[i] / scale) * (_x[i] / scale);
            velocity += (_k[0][i] / scale) * (_k[0][i] / scale);
        }

        return new NormTotals(state, velocity, _x.Length);
    }

    /// <summary>
    /// Proposes a Dormand-Prince 5(4) step of size <paramref name="h"/> from <paramref name="t"/> (the last stages are
    /// evaluated at <paramref name="stepEnd"/> exactly), keeps it pending and returns the scaled squared error (First).
    /// </summary>
    public async ValueTask<NormTotals> ProposeAsync(double t, double h, double stepEnd, CancellationToken cancellationToken)
    {
        var length = _x.Length;
        for (var s = 1; s < 7; s++)
        {
            var row = DormandPrince.A[s];
            var target = s == 6 ? _next : _stage;
            for (var i = 0; i < length; i++)
            {
                var sum = 0.0;
                for (var r = 0; r < row.Length; r++)
                {
                    sum += row[r] * _k[r][i];
                }

                target[i] = _x[i] + (h * sum);
            }

            var time = s >= 5 ? stepEnd : t + (DormandPrince.C[s] * h);
            await _field.VelocityAsync(time, target, _k[s], cancellationToken).ConfigureAwait(false);
        }

        var error = 0.0;
        var kinetic = 0.0;
        for (var i = 0; i < length; i++)
        {
            var estimate = 0.0;
            var squares = 0.0;
            for (var s = 0; s < 7; s++)
            {
                estimate += DormandPrince.E[s] * _k[s][i];
                squares += DormandPrince.B[s] * _k[s][i] * _k[s][i];
            }

            var scale = _options.AbsoluteTolerance + (_options.RelativeTolerance * Math.Max(Math.Abs(_x[i]), Math.Abs(_next[i])));
            var ratio = h * estimate / scale;
            error += ratio * ratio;
            kinetic += h * squares;
        }

        _proposedKinetic = kinetic;
        return new NormTotals(error, 0.0, length);
    }

    /// <summary>Accepts (the pending step becomes the state; FSAL keeps its last stage) or drops the proposal.</summary>
    public StepTotals Commit(bool accept)
    {
        if (!accept)
        {
            return new StepTotals(0.0, Count);
        }

        (_x, _next) = (_next, _x);
        (_k[0], _k[6]) = (_k[6], _k[0]);
        return new StepTotals(_proposedKinetic, Count);
    }

    private InterpolantField Interpolant =>
        _interpolant ?? throw new InvalidOperationException("this operation needs an interpolant field");

    private async ValueTask<double> DdimStepAsync(int index, double t, double next, CancellationToken cancellationToken)
    {
        // x' = b' D + sqrt(a'^2 - sigma^2) eps + sigma xi with eps = (x - b D) / a and
        // sigma^2 = eta^2 a'^2 (1 - (a' b)^2 / (a b')^2): the DDIM family written for (a, b); eta = 1 is the exact
        // posterior of X_t' given (X_t, x1) under the Gaussian interpolant, eta = 0 the deterministic DDIM step.
        var field = Interpolant;
        var schedule = field.Schedule;
        var a = field.NoiseCoefficient(t);
        var b = schedule.B(t);
        var aNext = schedule.A(next);
        var bNext = schedule.B(next);
        var denoised = _k[0];
        await field.DenoiseAsync(t, _x, denoised, cancellationToken).ConfigureAwait(false);
        var kinetic = KineticFromDenoised(field, t, a, next - t, denoised);
        var sigma2 = 0.0;
        if (_options.DdimEta > 0.0 && bNext > 0.0)
        {
            var ratio = aNext * b / (a * bNext);
            sigma2 = Math.Clamp(_options.DdimEta * _options.DdimEta * aNext * aNext * (1.0 - (ratio * ratio)), 0.0, aNext * aNext);
        }

        var sigma = Math.Sqrt(sigma2);
        var keep = Math.Sqrt((aNext * aNext) - sigma2);
        for (var i = 0; i < _x.Length; i++)
        {
            var noise = (_x[i] - (b * denoised[i])) / a;
            var fresh = sigma > 0.0 ? CounterRandom.Normal(_options.Seed, FirstId + (i / _dimension), index, NoiseStream, i % _dimension) : 0.0;
            _x[i] = (bNext * denoised[i]) + (keep * noise) + (sigma * fresh);
        }

        return kinetic;
    }

    private async ValueTask<double> SdeStepAsync(int index, double t, double next, CancellationToken cancellationToken)
    {
        var field = Interpolant;
        var schedule = field.Schedule;
        var h = next - t;
        var g = _options.Diffusion(schedule, t);
        var a = field.NoiseCoefficient(t);
        var b = schedule.B(t);
        var da = schedule.DA(t);
        var db = schedule.DB(t);
        var denoised = _k[0];
        await field.DenoiseAsync(t, _x, denoised, cancellationToken).ConfigureAwait(false);
        var kinetic = KineticFromDenoised(field, t, a, h, denoised);
        var halfG2 = 0.5 * g * g;
        var onX = (da / a) - (halfG2 / (a * a));
        var onD = db - (da * b / a) + (halfG2 * b / (a * a));
        var sqrtH = Math.Sqrt(h);
        for (var i = 0; i < _x.Length; i++)
        {
            var drift = (onX * _x[i]) + (onD * denoised[i]);
            var noise = g > 0.0 ? CounterRandom.Normal(_options.Seed, FirstId + (i / _dimension), index, NoiseStream, i % _dimension) : 0.0;
            _x[i] += (h * drift) + (g * sqrtH * noise);
        }

        return kinetic;
    }

    private double KineticFromDenoised(InterpolantField field, double t, double a, double h, double[] denoised)
    {
        // h |v(t, x)|^2 with the probability-flow velocity formed from D (left-point rule).
        var velocity = _stage;
        denoised.CopyTo(velocity, 0);
        field.VelocityFromDenoised(t, a, _x, velocity);
        return h * SumOfSquares(velocity);
    }

    private static void Update(double[] destination, double[] x, double h, double[] k)
    {
        for (var i = 0; i < x.Length; i++)
        {
            destination[i] = x[i] + (h * k[i]);
        }
    }

    private static double SumOfSquares(double[] values)
    {
        var sum = 0.0;
        foreach (var v in values)
        {
            sum += v * v;
        }

        return sum;
    }
}
