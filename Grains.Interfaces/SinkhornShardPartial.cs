namespace Transport.Grains.Interfaces;

/// <summary>
/// A Sinkhorn shard's share of one call: a scalar (&lt;a, f&gt; of an update, the cost of a finish), the target
/// side's marginal report terms (zero elsewhere), and the work and traffic of the call. A shard without rows
/// returns zeros (the neutral partial).
/// </summary>
/// <param name="Value">The scalar share.</param>
/// <param name="L1">Marginal report: L1 error share.</param>
/// <param name="SumOfSquares">Marginal report: squared error share.</param>
/// <param name="WeightedPotential">Marginal report: &lt;b, g&gt; share.</param>
/// <param name="PotentialMass">Marginal report: sum_j g_j (P^T 1)_j share.</param>
/// <param name="KernelEvaluations">Point-pair cost evaluations of the call.</param>
/// <param name="BytesReceived">Bytes of potentials the shard pulled from its partners for the call (8 per value).</param>
[GenerateSerializer]
[Immutable]
[Alias("Transport.SinkhornShardPartial")]
public sealed record SinkhornShardPartial(
    [property: Id(0)] double Value,
    [property: Id(1)] double L1,
    [property: Id(2)] double SumOfSquares,
    [property: Id(3)] double WeightedPotential,
    [property: Id(4)] double PotentialMass,
    [property: Id(5)] long KernelEvaluations,
    [property: Id(6)] long BytesReceived);
