using Transport.Numerics.Transport.Multiscale;

namespace Transport.Numerics.Transport;

/// <summary>The final evaluation of the kept-block plan on the points.</summary>
/// <param name="TransportCost">sum_i a_i s meanSquared_i (see <see cref="MultiscalePartials.Cost"/>), summed over parts.</param>
/// <param name="Map">Barycentric map of every source point, sorted order, row-major n x d.</param>
/// <param name="KernelEvaluations">Point-pair cost evaluations of the two passes.</param>
/// <param name="BytesExchanged">Bytes of potentials moved between parts (0 in process).</param>
public sealed record SinkhornFinish(double TransportCost, double[] Map, long KernelEvaluations, long BytesExchanged);
