using Transport.Grains.Interfaces;
using Transport.Numerics.Geometry;
using Transport.Numerics.Transport;

namespace Transport.Client;

/// <summary>
/// What the Sinkhorn output files say about a run besides its results: the sizes, the solver settings, the shards
/// asked for and, for a <c>--demo</c> run, the generated clouds. An attached run takes them from its inputs; a run
/// fetched later (<c>transport runs fetch</c>) from the spec the cluster kept.
/// </summary>
internal sealed record SinkhornRunFacts(int N, int M, int Dimension, SinkhornOptions Options, int Shards, bool Divergence, PointCloud? DemoSource = null, PointCloud? DemoTarget = null)
{
    /// <summary>The facts of a run from its validated inputs.</summary>
    public static SinkhornRunFacts Of(SinkhornInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return new SinkhornRunFacts(
            inputs.Source.Count,
            inputs.Target.Count,
            inputs.Source.Dimension,
            inputs.Options,
            inputs.Shards,
            inputs.Divergence,
            inputs.IsDemo ? inputs.Source : null,
            inputs.IsDemo ? inputs.Target : null);
    }

    /// <summary>The facts of a run from the spec its coordinator kept.</summary>
    public static SinkhornRunFacts Of(SinkhornJobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new SinkhornRunFacts(spec.SourceCount, spec.TargetCount, spec.Dimension, spec.ToOptions(), spec.Shards, spec.Divergence);
    }
}
