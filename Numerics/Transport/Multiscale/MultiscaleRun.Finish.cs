namespace Transport.Numerics.Transport.Multiscale;

/// <summary>The end of a multiscale solve: the cost and map over the kept blocks, potentials in input order, the report.</summary>
internal sealed partial class MultiscaleRun
{
    private async Task<MultiscaleOutput> FinishAsync(bool converged, double neglected, int refinements, long readmitted, CancellationToken cancellationToken)
    {
        // Cost with row normalisation at the final g, exactly as the dense output evaluates it, and the
        // barycentric map over the kept blocks (one more sparse pass), returned in input order like f.
        // A solve stopped by the iteration cap before reaching the points finishes on its coarse level.
        IMultiscalePointsBackend finisher;
        if (level == 0)
        {
            await InstallAsync(cancellationToken);
            finisher = points!;
        }
        else
        {
            var local = new LocalMultiscalePointsBackend();
            local.Use(stage!, source[level], target[level].Weights, f, g, options);
            finisher = local;
        }

        var finish = await finisher.FinishAsync(options.Epsilon, cancellationToken);
        evaluations[level] += finish.KernelEvaluations;
        bytesExchanged[level] += finish.BytesExchanged;
        var cost = finish.TransportCost;
        var d = problem.Source.Dimension;
        var map = finish.Map;
        var mapInput = new double[map.Length];
        for (var s = 0; s < f.Length; s++)
        {
            map.AsSpan(s * d, d).CopyTo(mapInput.AsSpan(source.Order[s] * d));
        }

        var fInput = new double[f.Length];
        var gInput = new double[g.Length];
        for (var s = 0; s < f.Length; s++)
        {
            fInput[source.Order[s]] = f[s];
        }

        for (var s = 0; s < g.Length; s++)
        {
            gInput[target.Order[s]] = g[s];
        }

        PotentialNormalisation.Balance(fInput, problem.Source.Weights, gInput, problem.Target.Weights);
        var levels = new List<MultiscaleLevelReport>();
        for (var m = 0; m < source.LevelCount; m++)
        {
            var possible = m + 1 < source.LevelCount
                ? (long)source[m + 1].Count * target[m + 1].Count
                : (long)source[m].Count * target[m].Count;
            levels.Add(new MultiscaleLevelReport(m, source[m].Count, target[m].Count, survivingPairs[m], possible, iterationsPerLevel[m], evaluations[m], shardPairs[m], bytesExchanged[m]));
        }

        return new MultiscaleOutput
        {
            F = fInput,
            G = gInput,
            Map = mapInput,
            Epsilon = options.Epsilon,
            TransportCost = cost,
            Objective = sourceDual + report.PotentialMass,
            Dual = sourceDual + report.WeightedPotential,
            MarginalError = report.L1,
            NeglectedMass = neglected,
            Iterations = schedule.Iterations,
            Converged = converged,
            Refinements = refinements,
            ReadmittedPairs = readmitted,
            Levels = levels,
            Relaxation = schedule.Relaxation,
            DenseReason = denseReason,
        };
    }
}
