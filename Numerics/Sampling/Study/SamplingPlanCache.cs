namespace Transport.Numerics.Sampling.Study;

/// <summary>
/// Keeps the <see cref="SamplingPlan"/> of a request for the runs of a sweep and its reference run, which differ only
/// in sampler settings: the noise, the whitening and the coupling pairs (an expensive OT solve) are shared.
/// </summary>
public sealed class SamplingPlanCache(SinkhornMapSolver sinkhorn)
{
    private readonly Dictionary<object, SamplingPlan> _plans = [];

    /// <summary>The plan of <paramref name="request"/>, prepared on first use.</summary>
    public async Task<SamplingPlan> GetAsync(SampleRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var key = (request.Target, request.Noise, request.SourceMean, request.Coupling, request.CouplingPairs, request.CouplingSolver, request.CouplingBlur, request.Seed, request.Count);
        if (!_plans.TryGetValue(key, out var plan))
        {
            plan = await SamplingPlan.CreateAsync(request, sinkhorn, cancellationToken);
            _plans[key] = plan;
        }

        return plan;
    }
}
