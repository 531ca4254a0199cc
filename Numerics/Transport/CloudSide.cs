namespace Transport.Numerics.Transport;

/// <summary>Which cloud of a transport problem.</summary>
public enum CloudSide
{
    /// <summary>The source cloud (weights a, potential f).</summary>
    Source,

    /// <summary>The target cloud (weights b, potential g).</summary>
    Target,
}
