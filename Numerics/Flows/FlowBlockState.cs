using Transport.Numerics.Flows.Eulerian;
using Transport.Numerics.Geometry;
using Transport.Numerics.Randomness;

namespace Transport.Numerics.Flows;

/// <summary>
/// The integrator state of one block of particles: the positions x at the start of the step, the stage
/// vectors k_1..k_s, the stage positions and the candidate of the step. All per-particle arithmetic of the
/// engine lives here, so the single-process backend and every shard run the same code on their particles;
/// a backend only moves partial sums, positions and globals between blocks and the driver.
/// <para>
/// Per step: for each stage i, <see cref="PrepareStage"/> (y_i = x + h sum_j A[i][j] k_j), then
/// <see cref="AccumulatePartials"/>, then (after the caller combined the globals) <see cref="Velocity"/>;
/// finally <see cref="CompleteStep"/> forms the candidate (and its error partial) and <see cref="Commit"/>
/// accepts or rejects it.
/// </para>
/// </summary>
public sealed class FlowBlockState
{
    private readonly double[][] stageVelocities;
    private readonly double[] stagePositions;
    private readonly double[] candidate;
    private readonly ParticleBlock stageBlock;

    // The layout of the density's partial sums when the run measures them (FlowOptions.Eulerian).
    private readonly EulerianLayout? eulerianLayout;

    // JKO: the velocity the current stage-1 positions were formed with (the fixed point's last iterate), and how many
    // iterates the current step has formed.
    private readonly double[] implicitPrevious;
    private int implicitIterates;

    /// <summary>Creates the state of <paramref name="block"/> (positions are updated in place by <see cref="Commit"/>).</summary>
    public FlowBlockState(IFlowModel model, ParticleBlock block, FlowOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(block);
        ArgumentNullException.ThrowIfNull(options);
        if (model.Dimension != block.Dimension)
        {
            throw new ArgumentException($"model '{model.Name}' has dimension {model.Dimension}, the block {block.Dimension}", nameof(block));
        }

        Model = model;
        Block = block;
        Options = options;
        Tableau = ButcherTableau.For(options.Integrator);
        var length = block.PositionArray.Length;
        stageVelocities = new double[Tableau.Stages][];
        for (var s = 0; s < stageVelocities.Length; s++)
        {
            stageVelocities[s] = new double[length];
        }

        stagePositions = new double[length];
        candidate = new double[length];
        stageBlock = new ParticleBlock(stagePositions, block.WeightArray, block.Dimension, block.FirstId);
        eulerianLayout = options.Eulerian is { } eulerian ? new EulerianLayout(eulerian, block.Dimension) : null;
        implicitPrevious = options.Integrator == FlowIntegrator.Jko ? new double[length] : [];
    }

    /// <summary>The model.</summary>
    public IFlowModel Model { get; }

    /// <summary>The particles at the start of the current step.</summary>
    public ParticleBlock Block { get; }

    /// <summary>The run's options.</summary>
    public FlowOptions Options { get; }

    /// <summary>The integrator's tableau.</summary>
    public ButcherTableau Tableau { get; }

    /// <summary>The particles at the positions of <paramref name="stage"/> (stage 0 is the block itself).</summary>
    public ParticleBlock StageBlock(int stage) => stage == 0 ? Block : stageBlock;

    /// <summary>The velocity computed at <paramref name="stage"/> (row-major, tangent on the sphere).</summary>
    public ReadOnlySpan<double> StageVelocity(int stage) => stageVelocities[stage];

    /// <summary>
    /// Forms the stage positions y_i = x + h sum_{j &lt; i} A[i][j] k_j (nothing to do for stage 0). For the JKO step,
    /// stage 1 is the fixed-point iteration y = x + h k: k is k0 = v(x) for the first iterate of a step, then the last
    /// stage-1 velocity, so that repeating the stage iterates y -&gt; x + h v(y).
    /// </summary>
    public void PrepareStage(int stage, double step)
    {
        CheckStage(stage);
        if (stage == 0)
        {
            implicitIterates = 0;
            return;
        }

        if (Options.Integrator == FlowIntegrator.Jko)
        {
            var k = stageVelocities[implicitIterates == 0 ? 0 : 1];
            k.CopyTo(implicitPrevious, 0);
            implicitIterates++;
            var positions = Block.PositionArray;
            for (var c = 0; c < stagePositions.Length; c++)
            {
                stagePositions[c] = positions[c] + (step * k[c]);
            }

            return;
        }

        var x = Block.PositionArray;
        x.CopyTo(stagePositions, 0);
        var row = Tableau.A[stage];
        for (var j = 0; j < row.Length; j++)
        {
            var factor = step * row[j];
            if (factor == 0)
            {
                continue;
            }

            var k = stageVelocities[j];
            for (var c = 0; c < stagePositions.Length; c++)
            {
                stagePositions[c] += factor * k[c];
            }
        }
    }

    /// <summary>Adds this block's partial sums at the stage's positions into <paramref name="partials"/>.</summary>
    public void AccumulatePartials(int stage, double time, Span<double> partials)
    {
        CheckStage(stage);
        Model.AccumulatePartials(time, StageBlock(stage), partials);
    }

    /// <summary>
    /// Computes k_stage from the combined <paramref name="globals"/> (projected on the tangent space for
    /// spherical models); with <paramref name="measure"/> also returns the block's energy share and kinetic energy.
    /// </summary>
    public FlowStageMeasure Velocity(int stage, FlowGlobals globals, bool measure)
    {
        ArgumentNullException.ThrowIfNull(globals);
        CheckStage(stage);
        var block = StageBlock(stage);
        var v = stageVelocities[stage];
        Model.Velocity(block, globals, v);
        var d = block.Dimension;
        if (Model.Manifold == FlowManifold.Sphere)
        {
            var y = block.PositionArray;
            for (var i = 0; i < block.Count; i++)
            {
                ProjectTangent(y.AsSpan(i * d, d), v.AsSpan(i * d, d));
            }
        }

        if (!measure)
        {
            return new FlowStageMeasure(0, 0);
        }

        var kinetic = 0.0;
        var weights = block.WeightArray;
        for (var i = 0; i < block.Count; i++)
        {
            var squared = 0.0;
            for (var c = 0; c < d; c++)
            {
                var value = v[(i * d) + c];
                squared += value * value;
            }

            kinetic += weights[i] * squared;
        }

        double[]? eulerian = null;
        if (eulerianLayout is not null)
        {
            // The grids only at the states whose grids the run keeps (their cost is the kernel density's).
            eulerian = new double[globals.MeasureGrids ? eulerianLayout.Length : eulerianLayout.HistogramOffset];
            var g = Model.Diffusion(globals.Time);
            EulerianPartial.Accumulate(eulerianLayout, block.PositionArray.AsSpan(0, block.Count * d), weights.AsSpan(0, block.Count), v.AsSpan(0, block.Count * d), g * g, eulerian);
        }

        return new FlowStageMeasure(Model.EnergyShare(block, globals), kinetic, eulerian);
    }

    /// <summary>
    /// Forms the candidate x' = x + h sum_i B[i] k_i, plus <paramref name="noiseAmplitude"/> xi for
    /// Euler-Maruyama (xi standard normal keyed by (seed, global id, <paramref name="stepIndex"/>, 0, component),
    /// projected on the tangent space on the sphere), then returns to the sphere when needed. For the adaptive
    /// integrator returns the block's part of the scaled error norm; otherwise <see cref="FlowErrorPartial.Zero"/>.
    /// </summary>
    public FlowErrorPartial CompleteStep(double step, long stepIndex, double noiseAmplitude)
    {
        var x = Block.PositionArray;
        var d = Block.Dimension;
        var sphere = Model.Manifold == FlowManifold.Sphere;
        if (sphere && Options.SphereStep == FlowSphereStep.ExponentialMap)
        {
            ExponentialMapStep(step);
            return FlowErrorPartial.Zero;
        }

        x.CopyTo(candidate, 0);
        for (var s = 0; s < Tableau.Stages; s++)
        {
            var factor = step * Tableau.B[s];
            if (factor == 0)
            {
                continue;
            }

            var k = stageVelocities[s];
            for (var c = 0; c < candidate.Length; c++)
            {
                candidate[c] += factor * k[c];
            }
        }

        if (Options.Integrator == FlowIntegrator.EulerMaruyama && noiseAmplitude != 0)
        {
            AddNoise(stepIndex, noiseAmplitude);
        }

        var error = Options.Integrator == FlowIntegrator.Jko ? ImplicitChange(step) : Tableau.EmbeddedB is null ? FlowErrorPartial.Zero : ErrorPartial(step);
        if (sphere)
        {
            for (var i = 0; i < Block.Count; i++)
            {
                UnitSphere.Normalise(candidate.AsSpan(i * d, d));
            }
        }

        return error;
    }

    /// <summary>Accepts (x = candidate) or rejects (x unchanged, k_1 still valid) the step.</summary>
    public void Commit(bool accept)
    {
        if (accept)
        {
            candidate.CopyTo(Block.PositionArray, 0);
        }
    }

    private void AddNoise(long stepIndex, double amplitude)
    {
        var d = Block.Dimension;
        Span<double> xi = d <= 64 ? stackalloc double[d] : new double[d];
        var x = Block.PositionArray;
        for (var i = 0; i < Block.Count; i++)
        {
            var id = Block.FirstId + i;
            for (var c = 0; c < d; c++)
            {
                xi[c] = CounterRandom.Normal(Options.Seed, id, stepIndex, 0, c);
            }

            if (Model.Manifold == FlowManifold.Sphere)
            {
                ProjectTangent(x.AsSpan(i * d, d), xi);
            }

            for (var c = 0; c < d; c++)
            {
                candidate[(i * d) + c] += amplitude * xi[c];
            }
        }
    }

    /// <summary>
    /// The JKO fixed point's last change, h |k1 - k_previous| per coordinate, scaled as the adaptive error is (by
    /// atol + rtol max(|x|, |x'|)): the iteration has converged when its norm is at most 1.
    /// </summary>
    private FlowErrorPartial ImplicitChange(double step)
    {
        var x = Block.PositionArray;
        var k = stageVelocities[1];
        var sum = 0.0;
        var max = 0.0;
        for (var c = 0; c < x.Length; c++)
        {
            var scale = Options.AbsoluteTolerance + (Options.RelativeTolerance * Math.Max(Math.Abs(x[c]), Math.Abs(candidate[c])));
            var scaled = Math.Abs(step * (k[c] - implicitPrevious[c])) / scale;
            sum += scaled * scaled;
            max = double.IsNaN(scaled) || double.IsNaN(max) ? double.NaN : Math.Max(max, scaled);
        }

        return new FlowErrorPartial(sum, max, x.Length);
    }

    private FlowErrorPartial ErrorPartial(double step)
    {
        var embedded = Tableau.EmbeddedB!;
        var x = Block.PositionArray;
        var sum = 0.0;
        var max = 0.0;
        for (var c = 0; c < x.Length; c++)
        {
            var e = 0.0;
            for (var s = 0; s < Tableau.Stages; s++)
            {
                var weight = Tableau.B[s] - embedded[s];
                if (weight != 0)
                {
                    e += weight * stageVelocities[s][c];
                }
            }

            var scale = Options.AbsoluteTolerance + (Options.RelativeTolerance * Math.Max(Math.Abs(x[c]), Math.Abs(candidate[c])));
            var scaled = Math.Abs(step * e) / scale;
            sum += scaled * scaled;
            max = double.IsNaN(scaled) || double.IsNaN(max) ? double.NaN : Math.Max(max, scaled);
        }

        return new FlowErrorPartial(sum, max, x.Length);
    }

    private void ExponentialMapStep(double step)
    {
        var d = Block.Dimension;
        var x = Block.PositionArray;
        var v = stageVelocities[0];
        for (var i = 0; i < Block.Count; i++)
        {
            var norm = 0.0;
            for (var c = 0; c < d; c++)
            {
                norm += v[(i * d) + c] * v[(i * d) + c];
            }

            norm = Math.Sqrt(norm);
            var angle = step * norm;
            var target = candidate.AsSpan(i * d, d);
            if (angle < 1e-300)
            {
                x.AsSpan(i * d, d).CopyTo(target);
            }
            else
            {
                var cos = Math.Cos(angle);
                var sin = Math.Sin(angle) / norm;
                for (var c = 0; c < d; c++)
                {
                    target[c] = (cos * x[(i * d) + c]) + (sin * v[(i * d) + c]);
                }
            }

            UnitSphere.Normalise(target);
        }
    }

    private static void ProjectTangent(ReadOnlySpan<double> x, Span<double> v)
    {
        var dot = 0.0;
        var squared = 0.0;
        for (var c = 0; c < x.Length; c++)
        {
            dot += v[c] * x[c];
            squared += x[c] * x[c];
        }

        if (squared == 0)
        {
            return;
        }

        var factor = dot / squared;
        for (var c = 0; c < x.Length; c++)
        {
            v[c] -= factor * x[c];
        }
    }

    private void CheckStage(int stage)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(stage);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(stage, Tableau.Stages);
    }
}
