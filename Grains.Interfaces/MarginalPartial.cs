using Transport.Numerics.Transport;

namespace Transport.Grains.Interfaces;

/// <summary>
/// The wire form of a block's <see cref="MarginalReport"/>, with the point-pair cost evaluations the block
/// made to compute it (the coordinator sums them into the run's count).
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("Transport.MarginalPartial")]
public sealed record MarginalPartial(
    [property: Id(0)] double L1,
    [property: Id(1)] double SumOfSquares,
    [property: Id(2)] double WeightedPotential,
    [property: Id(3)] double PotentialMass,
    [property: Id(4)] long KernelEvaluations)
{
    /// <summary>Wraps a report and the evaluations that produced it.</summary>
    public static MarginalPartial From(MarginalReport report, long kernelEvaluations) =>
        new(report.L1, report.SumOfSquares, report.WeightedPotential, report.PotentialMass, kernelEvaluations);

    /// <summary>Unwraps to a report.</summary>
    public MarginalReport ToReport() => new(L1, SumOfSquares, WeightedPotential, PotentialMass);
}
