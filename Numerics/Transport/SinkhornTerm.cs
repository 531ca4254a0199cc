namespace Transport.Numerics.Transport;

/// <summary>
/// Which of the three transport problems of a divergence a Sinkhorn call acts on. Each is a problem
/// between a "source" cloud (potential f, updated first) and a "target" cloud (potential g, checked and
/// committed): the cross problem OT_eps(a, b), and the self problems OT_eps(a, a) and OT_eps(b, b),
/// which are the cross problems of a cloud with itself (math.md 3.6). One loop
/// (<see cref="SinkhornRun"/>) runs all three, dense or multiscale, in process or on shards.
/// </summary>
public enum SinkhornTerm
{
    /// <summary>OT_eps(a, b): source cloud against target cloud.</summary>
    Cross,

    /// <summary>OT_eps(a, a): the source cloud against itself.</summary>
    SelfSource,

    /// <summary>OT_eps(b, b): the target cloud against itself.</summary>
    SelfTarget,
}

/// <summary>Names of <see cref="SinkhornTerm"/> values as they appear in progress and history.</summary>
public static class SinkhornTerms
{
    /// <summary>"cross", "self-source" or "self-target".</summary>
    public static string Name(this SinkhornTerm term) => term switch
    {
        SinkhornTerm.Cross => "cross",
        SinkhornTerm.SelfSource => "self-source",
        SinkhornTerm.SelfTarget => "self-target",
        _ => throw new ArgumentOutOfRangeException(nameof(term), term, "unknown Sinkhorn term"),
    };
}
