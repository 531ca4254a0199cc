namespace Transport.Numerics.Flows;

/// <summary>
/// What one block reports after computing its velocities at a stage: its share of the model's energy, its kinetic
/// energy sum_i a_i |v_i|^2 and, when the run measures the density, its Eulerian partial sums. Blocks' measures are
/// added in block order.
/// </summary>
/// <param name="EnergyShare">The block's <see cref="IFlowModel.EnergyShare"/> (NaN when the model has no energy; 0 when not measured).</param>
/// <param name="KineticEnergy">sum_i a_i |v_i|^2 over the block (0 when not measured).</param>
/// <param name="Eulerian">The block's <see cref="Eulerian.EulerianPartial"/>; null when not measured.</param>
public readonly record struct FlowStageMeasure(double EnergyShare, double KineticEnergy, double[]? Eulerian = null)
{
    /// <summary>The sum of two measures (this one first); Eulerian partials add entry by entry.</summary>
    public FlowStageMeasure Add(FlowStageMeasure other) => new(EnergyShare + other.EnergyShare, KineticEnergy + other.KineticEnergy, Sum(Eulerian, other.Eulerian));

    private static double[]? Sum(double[]? first, double[]? second)
    {
        if (first is null || second is null)
        {
            return first ?? second;
        }

        if (first.Length != second.Length)
        {
            throw new ArgumentException($"Eulerian partials of {first.Length} and {second.Length} values do not add");
        }

        var sum = new double[first.Length];
        for (var k = 0; k < sum.Length; k++)
        {
            sum[k] = first[k] + second[k];
        }

        return sum;
    }
}

/// <summary>
/// One block's part of the adaptive error norm: the sum of squares and the maximum of the scaled local
/// errors e_c / (atol + rtol max(|x_c|, |x_c'|)) over its coordinates, and their count. Combined in block
/// order by <see cref="Add"/>; <see cref="Norm"/> gives the RMS or max norm.
/// </summary>
/// <param name="SumOfSquares">Sum of squared scaled errors.</param>
/// <param name="Max">Largest scaled error (NaN propagates).</param>
/// <param name="Count">Number of coordinates.</param>
public readonly record struct FlowErrorPartial(double SumOfSquares, double Max, long Count)
{
    /// <summary>The neutral element.</summary>
    public static FlowErrorPartial Zero => new(0, 0, 0);

    /// <summary>Combines two partials (this one first).</summary>
    public FlowErrorPartial Add(FlowErrorPartial other) =>
        new(SumOfSquares + other.SumOfSquares, double.IsNaN(Max) || double.IsNaN(other.Max) ? double.NaN : Math.Max(Max, other.Max), Count + other.Count);

    /// <summary>The error norm of the combined partials (0 for no coordinates).</summary>
    public double Norm(FlowErrorNorm norm) => Count == 0
        ? 0
        : norm == FlowErrorNorm.Max ? Max : Math.Sqrt(SumOfSquares / Count);
}

/// <summary>
/// The combined inputs of a stage, before <see cref="IFlowModel.PrepareStage"/>: the partial sums of all
/// blocks added in block order, and, when the model needs them, every position and weight in global-id order.
/// </summary>
/// <param name="Sums">Combined partial sums (length <see cref="IFlowModel.PartialLength"/>).</param>
/// <param name="AllPositions">All stage positions (empty unless <see cref="IFlowModel.NeedsAllPositions"/>).</param>
/// <param name="AllWeights">All weights (empty unless <see cref="IFlowModel.NeedsAllPositions"/>).</param>
public sealed record FlowStageInputs(double[] Sums, ReadOnlyMemory<double> AllPositions, ReadOnlyMemory<double> AllWeights);

/// <summary>Contiguous splits of a population into blocks (the same rule single-process and on shards).</summary>
public static class FlowPartition
{
    /// <summary>
    /// The range of block <paramref name="index"/> of <paramref name="blocks"/> over <paramref name="count"/>
    /// particles: block b holds ids [b count / blocks, (b + 1) count / blocks).
    /// </summary>
    public static (int Start, int Count) Range(int count, int blocks, int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(blocks);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, blocks);
        var start = (int)((long)index * count / blocks);
        var end = (int)((long)(index + 1) * count / blocks);
        return (start, end - start);
    }
}
