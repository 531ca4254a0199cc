using Transport.Numerics.Transport.Multiscale;

namespace Transport.Numerics.Transport;

/// <summary>The end of a solve: the cost and map over the kept blocks, potentials in input order, the report.</summary>
internal sealed partial class SinkhornRun
{
    /// <summary>
    /// Whether the end of the solve evaluates the transport cost and the barycentric map (one more pass each); off for
    /// callers that evaluate the plan themselves, or never need it (the self problems of a divergence).
    /// </summary>
    public bool EvaluatePlan { get; init; } = true;

    private async Task<MultiscaleOutput> FinishAsync(bool converged, double neglected, int refinements, long readmitted, CancellationToken cancellationToken)
    {
        // Cost with row normalisation at the final g, exactly as the dense output evaluates it, and the
        // barycentric map over the kept blocks (one more sparse pass), returned in input order like f.
        // A solve stopped by the iteration cap before reaching the points finishes on its coarse level.
        // Points kept elsewhere have no coarse-level outputs: a solve capped before reaching them jumps there to finish.
        while (level > 0 && source is { HasPoints: false })
        {
            await JumpAsync(options.Epsilon, cancellationToken);
        }

        ISinkhornBackend finisher;
        if (level == 0)
        {
            await InstallAsync(cancellationToken);
            finisher = points!;
        }
        else
        {
            var local = new LocalSinkhornBackend();
            local.Use(stage!, Source[level], Target[level].Weights, f, g, options);
            finisher = local;
        }

        var cost = double.NaN;
        double[]? map = null;
        if (EvaluatePlan)
        {
            var finish = await finisher.FinishAsync(options.Epsilon, cancellationToken);
            evaluations[level] += finish.KernelEvaluations;
            bytesExchanged[level] += finish.BytesExchanged;
            cost = finish.TransportCost;
            map = finish.Map;
        }

        MultiscalePointOutputs? outputs = null;
        if (pointSide is not null && level == 0)
        {
            // The point side holds the potentials (and puts them in input order, or keeps them where they are).
            outputs = await pointSide.OutputsAsync(map ?? [], cancellationToken);
        }
        else if (source is not null)
        {
            if (level == 0 && levelCount == 1)
            {
                // One level: the loop never gathered (no safeguard needs the potentials).
                var potentials = await finisher.GatherAsync(cancellationToken);
                f = potentials.F;
                g = potentials.G;
            }

            var (fInput, gInput, mapInput) = InInputOrder(map);
            PotentialNormalisation.Balance(fInput, InputWeights(Source), gInput, InputWeights(Target));
            outputs = new MultiscalePointOutputs(fInput, gInput, mapInput);
        }

        var levels = new List<MultiscaleLevelReport>();
        for (var m = 0; m < levelCount; m++)
        {
            var (sourceClusters, targetClusters) = m == 0 ? (sourceCount, targetCount) : (Source[m].Count, Target[m].Count);
            var possible = m + 1 < levelCount
                ? (long)Source[m + 1].Count * Target[m + 1].Count
                : (long)sourceClusters * targetClusters;
            levels.Add(new MultiscaleLevelReport(m, sourceClusters, targetClusters, survivingPairs[m], possible, iterationsPerLevel[m], evaluations[m], shardPairs[m], bytesExchanged[m]));
        }

        return new MultiscaleOutput
        {
            F = outputs?.F ?? [],
            G = outputs?.G ?? [],
            Map = outputs?.Map ?? [],
            ArraysOnBackend = outputs is null,
            Epsilon = options.Epsilon,
            TransportCost = cost,
            Objective = sourceDual + report.PotentialMass,
            Dual = sourceDual + report.WeightedPotential,
            SourceDual = sourceDual,
            TargetDual = report.WeightedPotential,
            MarginalError = report.L1,
            MarginalError2 = report.L2,
            NeglectedMass = neglected,
            Iterations = schedule.Iterations,
            Converged = converged,
            Refinements = refinements,
            ReadmittedPairs = readmitted,
            Levels = levels,
            History = schedule.History,
            Relaxation = schedule.Relaxation,
            DenseReason = denseReason,
            LeafClusterSize = leafChoice?.LeafClusterSize,
            EstimatedPeakBytes = leafChoice?.EstimatedPeakBytes,
            ResidentValues = peakResident,
        };
    }

    private static double[] InputWeights(ClusterHierarchy hierarchy)
    {
        var sorted = hierarchy[0].Weights;
        var weights = new double[sorted.Length];
        for (var s = 0; s < sorted.Length; s++)
        {
            weights[hierarchy.Order[s]] = sorted[s];
        }

        return weights;
    }

    /// <summary>f, g and the map (when evaluated) from the hierarchies' sorted order back to input order.</summary>
    private (double[] F, double[] G, double[] Map) InInputOrder(double[]? map)
    {
        var order = Source.Order;
        var fInput = new double[f.Length];
        for (var s = 0; s < f.Length; s++)
        {
            fInput[order[s]] = f[s];
        }

        var gInput = new double[g.Length];
        for (var s = 0; s < g.Length; s++)
        {
            gInput[Target.Order[s]] = g[s];
        }

        if (map is null)
        {
            return (fInput, gInput, []);
        }

        var d = Source[0].Dimension;
        var mapInput = new double[map.Length];
        for (var s = 0; s < f.Length; s++)
        {
            map.AsSpan(s * d, d).CopyTo(mapInput.AsSpan(order[s] * d));
        }

        return (fInput, gInput, mapInput);
    }
}
