using System.Globalization;

namespace Transport.Numerics.Flows.Models;

/// <summary>
/// The training set of a mean-field network: N inputs z_k (row-major N x p) and targets y_k
/// (row-major N x d'). Immutable; inputs are copied.
/// </summary>
public sealed class MeanFieldDataset
{
    private readonly double[] inputs;
    private readonly double[] targets;

    /// <summary>Validates and copies a dataset; throws <see cref="InvalidInputException"/> naming the field.</summary>
    /// <param name="inputs">z, row-major <paramref name="count"/> x <paramref name="inputDimension"/>.</param>
    /// <param name="targets">y, row-major <paramref name="count"/> x <paramref name="outputDimension"/>.</param>
    /// <param name="count">N &gt; 0.</param>
    /// <param name="inputDimension">p &gt; 0.</param>
    /// <param name="outputDimension">d' &gt; 0.</param>
    public MeanFieldDataset(ReadOnlySpan<double> inputs, ReadOnlySpan<double> targets, int count, int inputDimension, int outputDimension)
    {
        if (count <= 0)
        {
            throw new InvalidInputException("data", $"the dataset is empty (N = {count})");
        }

        if (inputDimension <= 0 || outputDimension <= 0)
        {
            throw new InvalidInputException("data", $"dimensions must be positive, got input {inputDimension} and output {outputDimension}");
        }

        if (inputs.Length != (long)count * inputDimension)
        {
            throw new InvalidInputException("inputs", $"expected {count} x {inputDimension} values, got {inputs.Length}");
        }

        if (targets.Length != (long)count * outputDimension)
        {
            throw new InvalidInputException("targets", $"expected {count} x {outputDimension} values, got {targets.Length}");
        }

        CheckFinite(inputs, "inputs", inputDimension);
        CheckFinite(targets, "targets", outputDimension);
        this.inputs = inputs.ToArray();
        this.targets = targets.ToArray();
        Count = count;
        InputDimension = inputDimension;
        OutputDimension = outputDimension;
    }

    /// <summary>N, the number of data points.</summary>
    public int Count { get; }

    /// <summary>p, the input dimension.</summary>
    public int InputDimension { get; }

    /// <summary>d', the output dimension.</summary>
    public int OutputDimension { get; }

    /// <summary>Inputs z, row-major N x p.</summary>
    public ReadOnlySpan<double> Inputs => inputs;

    /// <summary>Targets y, row-major N x d'.</summary>
    public ReadOnlySpan<double> Targets => targets;

    /// <summary>Input z_k.</summary>
    public ReadOnlySpan<double> Input(int index) => inputs.AsSpan(index * InputDimension, InputDimension);

    /// <summary>Target y_k.</summary>
    public ReadOnlySpan<double> TargetOf(int index) => targets.AsSpan(index * OutputDimension, OutputDimension);

    /// <summary>
    /// A teacher-network dataset: inputs z_k ~ N(0, I_p) and targets
    /// y_k = (1/width) sum_j v*_j sigma(&lt;u*_j, z_k&gt;) of a teacher with u*_j ~ N(0, I_p) and
    /// v*_j ~ N(0, I_d'), all drawn from one seeded generator (teacher first, then inputs).
    /// </summary>
    /// <param name="inputDimension">p.</param>
    /// <param name="outputDimension">d'.</param>
    /// <param name="width">Number of teacher neurons.</param>
    /// <param name="count">N.</param>
    /// <param name="seed">Seed of the generator.</param>
    /// <param name="activation">Teacher activation (ReLU by default).</param>
    public static MeanFieldDataset Teacher(int inputDimension, int outputDimension, int width, int count, int seed, NetworkActivation activation = NetworkActivation.Relu)
    {
        if (width <= 0)
        {
            throw new InvalidInputException("width", $"the teacher needs at least one neuron, got {width}");
        }

        if (inputDimension <= 0 || outputDimension <= 0 || count <= 0)
        {
            throw new InvalidInputException("data", $"dimensions and count must be positive, got p = {inputDimension}, d' = {outputDimension}, N = {count}");
        }

        var random = new Random(seed);
        var teacherU = Gaussian(random, width * inputDimension);
        var teacherV = Gaussian(random, width * outputDimension);
        var z = Gaussian(random, count * inputDimension);
        var y = new double[count * outputDimension];
        for (var k = 0; k < count; k++)
        {
            for (var j = 0; j < width; j++)
            {
                var dot = 0.0;
                for (var q = 0; q < inputDimension; q++)
                {
                    dot += teacherU[(j * inputDimension) + q] * z[(k * inputDimension) + q];
                }

                var s = activation.Apply(dot) / width;
                for (var c = 0; c < outputDimension; c++)
                {
                    y[(k * outputDimension) + c] += teacherV[(j * outputDimension) + c] * s;
                }
            }
        }

        // The teacher's neurons (u*_j, v*_j) live in the students' particle space: kept to be drawn beside them.
        var neurons = new double[width * (inputDimension + outputDimension)];
        for (var j = 0; j < width; j++)
        {
            teacherU.AsSpan(j * inputDimension, inputDimension).CopyTo(neurons.AsSpan(j * (inputDimension + outputDimension)));
            teacherV.AsSpan(j * outputDimension, outputDimension).CopyTo(neurons.AsSpan((j * (inputDimension + outputDimension)) + inputDimension));
        }

        return new MeanFieldDataset(z, y, count, inputDimension, outputDimension) { TeacherNeurons = neurons };
    }

    /// <summary>
    /// For a <see cref="Teacher"/> data set, the teacher's neurons (u*_j, v*_j), row-major width x (p + d'): points of the
    /// students' particle space; null for data read from files.
    /// </summary>
    public double[]? TeacherNeurons { get; init; }

    /// <summary>Standard normal draws by the Box-Muller transform.</summary>
    internal static double[] Gaussian(Random random, int count)
    {
        var result = new double[count];
        for (var i = 0; i < count; i += 2)
        {
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            var radius = Math.Sqrt(-2 * Math.Log(u1));
            result[i] = radius * Math.Cos(2 * Math.PI * u2);
            if (i + 1 < count)
            {
                result[i + 1] = radius * Math.Sin(2 * Math.PI * u2);
            }
        }

        return result;
    }

    private static void CheckFinite(ReadOnlySpan<double> values, string field, int dimension)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i]))
            {
                throw new InvalidInputException(field, $"value [{i / dimension}, {i % dimension}] is {values[i].ToString(CultureInfo.InvariantCulture)}; values must be finite");
            }
        }
    }
}
