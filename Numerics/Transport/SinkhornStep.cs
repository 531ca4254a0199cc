namespace Transport.Numerics.Transport;

/// <summary>The outcome of one iteration on the points.</summary>
/// <param name="SourceDual">&lt;a, f&gt; after the source update.</param>
/// <param name="Report">Marginal report of the target side (current g against the candidate), summed over parts.</param>
/// <param name="KernelEvaluations">Point-pair cost evaluations of the two half steps.</param>
/// <param name="BytesExchanged">Bytes of potentials moved between parts (0 in process).</param>
public readonly record struct SinkhornStep(double SourceDual, MarginalReport Report, long KernelEvaluations, long BytesExchanged);
