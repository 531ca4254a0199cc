using Transport.Numerics.Transport;

namespace Transport.Grains.Interfaces;

/// <summary>The wire form of a block's <see cref="MarginalReport"/>.</summary>
[GenerateSerializer]
[Immutable]
[Alias("Transport.MarginalPartial")]
public sealed record MarginalPartial(
    [property: Id(0)] double L1,
    [property: Id(1)] double SumOfSquares,
    [property: Id(2)] double WeightedPotential,
    [property: Id(3)] double PotentialMass)
{
    /// <summary>Wraps a report.</summary>
    public static MarginalPartial From(MarginalReport report) => new(report.L1, report.SumOfSquares, report.WeightedPotential, report.PotentialMass);

    /// <summary>Unwraps to a report.</summary>
    public MarginalReport ToReport() => new(L1, SumOfSquares, WeightedPotential, PotentialMass);
}
