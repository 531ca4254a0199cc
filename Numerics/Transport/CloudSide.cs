namespace Transport.Numerics.Transport;

/// <summary>Which cloud of a transport problem.</summary>
public enum CloudSide
{
    /// <summary>The source cloud (weights a, potential f).</summary>
    Source,

    /// <summary>The target cloud (weights b, potential g).</summary>
    Target,
}

/// <summary>How a symmetric (self-transport) step updates the potential.</summary>
public enum SelfUpdate
{
    /// <summary>p = T(p): used at the first step and for the final extrapolation.</summary>
    Replace,

    /// <summary>p = (p + T(p)) / 2: the symmetric averaged update (GeomLoss, math.md 3.3).</summary>
    Average,
}
