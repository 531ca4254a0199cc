using Transport.Grains.Interfaces;
using Transport.Numerics.Transport;
using Transport.Numerics.Transport.Multiscale;

namespace Transport.Grains;

/// <summary>
/// One solve's state on one Sinkhorn shard: the shard's share of the points, the block transform of its kept blocks
/// (<see cref="SinkhornShardPart"/>), which partner shards hold the keys' potentials and which ranges of them to pull,
/// and the potentials of its rows: f (source role) and / or g (target role). A cross solve holds one of them (f on the
/// source side, g on the target side); a self solve holds both on the same rows, so its symmetric steps blend locally.
/// </summary>
internal sealed class ShardSolve
{
    /// <summary>Creates the state; <paramref name="f"/> and <paramref name="g"/> are null for the roles the shard does not hold.</summary>
    /// <param name="part">The transform over the shard's rows.</param>
    /// <param name="weights">Weights of the rows.</param>
    /// <param name="partnerSide">The side holding the keys.</param>
    /// <param name="partners">Ranges to pull from each partner.</param>
    /// <param name="keyCount">Keys in all.</param>
    /// <param name="f">f on the rows, or null.</param>
    /// <param name="g">g on the rows, or null.</param>
    /// <param name="pullValues">Most potential values one pull may carry (the configured message chunk; null: one block's worth).</param>
    public ShardSolve(SinkhornShardPart part, double[] weights, CloudSide partnerSide, IReadOnlyList<SinkhornPartnerRequest> partners, int keyCount, double[]? f, double[]? g, int? pullValues = null)
    {
        PullValues = pullValues ?? FloatBlock.RowsPerChunk(1);
        Part = part;
        Weights = weights;
        PartnerSide = partnerSide;
        Partners = partners;
        KeyCount = keyCount;
        F = f;
        G = g;
        Candidate = new double[weights.Length];
    }

    /// <summary>The transform over the shard's rows against its keys.</summary>
    public SinkhornShardPart Part { get; }

    /// <summary>Weights of the shard's rows.</summary>
    public double[] Weights { get; }

    /// <summary>The side whose shards hold the keys.</summary>
    public CloudSide PartnerSide { get; }

    /// <summary>Ranges to pull from each partner shard; concatenated in this order, the keys' potentials.</summary>
    public IReadOnlyList<SinkhornPartnerRequest> Partners { get; }

    /// <summary>Most potential values one pull from a partner carries.</summary>
    public int PullValues { get; }

    /// <summary>Number of keys (the length of the concatenated pulls).</summary>
    public int KeyCount { get; }

    /// <summary>f on the shard's rows (null on a target shard of the cross solve). Replaced, never written in place: peers read it.</summary>
    public double[]? F { get; set; }

    /// <summary>g on the shard's rows (null on a source shard of the cross solve). Replaced, never written in place.</summary>
    public double[]? G { get; set; }

    /// <summary>The last check's T(f) on the shard's rows.</summary>
    public double[] Candidate { get; set; }

    /// <summary>The barycentric map of the last finish (rows x d).</summary>
    public double[]? Map { get; set; }

    /// <summary>The potential of <paramref name="role"/> (source: f, target: g).</summary>
    public double[] Potential(CloudSide role) =>
        (role == CloudSide.Source ? F : G) ?? throw new InvalidOperationException($"this shard holds no {(role == CloudSide.Source ? "f" : "g")} of the solve");
}
