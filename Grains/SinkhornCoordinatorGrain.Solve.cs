using Microsoft.Extensions.DependencyInjection;
using Transport.Grains.Interfaces;
using Transport.Numerics;
using Transport.Numerics.Geometry;
using Transport.Numerics.Transport;
using Transport.Numerics.Transport.Multiscale;

namespace Transport.Grains;

/// <summary>The two branches of a Sinkhorn job's run, dense and multiscale, both on the job's shards.</summary>
public sealed partial class SinkhornCoordinatorGrain
{
    /// <summary>
    /// The multiscale branch: the coordinator gathers the clouds, builds the hierarchies and runs the coarse levels, the
    /// jump to the points and the safeguard; the iterations on the points run on the job's shards, each holding a range
    /// of Morton-sorted leaf clusters and exchanging potentials only with the shards holding its surviving partner
    /// clusters. The cross problem and, with the divergence, the two self problems are solves on the same shards.
    /// Potentials and map are kept here (<see cref="multiscaleArrays"/>). Input errors it throws
    /// (<see cref="JobInputException"/>, <see cref="InvalidInputException"/>) reach the client as bad input.
    /// </summary>
    private async Task<SinkhornJobResult> SolveMultiscaleAsync(SinkhornJobSpec job, SinkhornOptions solveOptions, CancellationToken token)
    {
        var source = await GatherCloudAsync(sourceOffsets, sourceShards, job.Dimension, "source");
        var target = await GatherCloudAsync(targetOffsets, targetShards, job.Dimension, "target");
        var options = new MultiscaleOptions { Levels = job.Levels == 0 ? null : job.Levels, Truncation = job.Truncation, MemoryBudget = job.MemoryBudget };
        var backends = new List<DistributedSinkhornBackend>();
        try
        {
            var cross = await SolveOnShardsAsync(SinkhornTerm.Cross, new SinkhornProblem(source, target));
            var solves = new List<MultiscaleOutput> { cross };
            double? divergence = null;
            if (job.Divergence)
            {
                var selfSource = await SolveOnShardsAsync(SinkhornTerm.SelfSource, new SinkhornProblem(source, source));
                var selfTarget = await SolveOnShardsAsync(SinkhornTerm.SelfTarget, new SinkhornProblem(target, target));
                divergence = DebiasedDivergence.Combine(cross.Dual, selfSource.Dual, selfTarget.Dual);
                solves.Add(selfSource);
                solves.Add(selfTarget);
            }

            multiscaleArrays = new MultiscaleArrays(cross.F, cross.G, cross.Map); // already balanced: <f, a> = <g, b>
            potentialShift = 0.0;
            return Result(job, cross, solves, divergence) with
            {
                NeglectedMass = solves.Max(s => s.NeglectedMass),
                Levels = cross.LevelCount,
                DenseReason = cross.DenseReason,
                LeafClusterSize = cross.LeafClusterSize,
                LevelReports = [.. cross.Levels.Select(l => new SinkhornLevelReport(
                    l.Level, l.SourceClusters, l.TargetClusters, l.SurvivingBlockPairs, l.Iterations, l.KernelEvaluations, l.ShardPairs, l.BytesExchanged))],
            };
        }
        finally
        {
            // The results are on the coordinator now: the shards' state of these solves can go.
            await Task.WhenAll(backends.Select(b => b.ReleaseAsync()));
        }

        // Runs off the grain scheduler (the coarse levels and the pattern search are long CPU work) so that status
        // queries stay answered; the shards are called from there like from any other caller.
        Task<MultiscaleOutput> SolveOnShardsAsync(SinkhornTerm term, SinkhornProblem problem)
        {
            var backend = new DistributedSinkhornBackend(GrainFactory, this.GetPrimaryKeyString(), sourceOffsets, targetOffsets, term)
            {
                // A share larger than one message goes in chunks.
                InstallSerializer = ServiceProvider.GetRequiredService<Orleans.Serialization.Serializer>(),
                InstallChunkBytes = Limits.InstallChunkBytes,
            };
            backends.Add(backend);
            return Task.Run(() => MultiscaleSinkhornSolver.SolveAsync(problem, solveOptions, options, () => backend, warmStart: null, ReportProgress, term.Name(), token), token);
        }
    }

    private static async Task<PointCloud> GatherCloudAsync(int[] offsets, ISinkhornShardGrain[] shards, int dimension, string field)
    {
        var positions = await BlockTransfer.GatherAsync(offsets, dimension, (k, start, rows) => shards[k].GetPositionsAsync(start, rows));
        var weights = await BlockTransfer.GatherAsync(offsets, 1, (k, start, rows) => shards[k].GetWeightsAsync(start, rows));
        return PointCloud.Create(positions, offsets[^1], dimension, weights, field);
    }

    /// <summary>
    /// The dense solve on the shards: the one Sinkhorn loop on one level with every block kept, its points never leaving
    /// the shards: the cross problem (with the plan's cost at the end), and the self problems when the divergence is
    /// asked for, each annealed from its own clouds' largest cost as in process. Every kernel call is counted by the
    /// shard that made it; potentials and map stay on the shards, which serve them.
    /// </summary>
    private async Task<SinkhornJobResult> SolveDenseAsync(SinkhornJobSpec job, SinkhornOptions solveOptions, CancellationToken token)
    {
        await RecoverIfResumedAsync(token);
        var sourceBox = await ShardBoundingBoxes.UnionAsync(sourceShards);
        var targetBox = await ShardBoundingBoxes.UnionAsync(targetShards);
        var cross = await SolveOnShardsAsync(SinkhornTerm.Cross, sourceBox.Union(targetBox), job.SourceCount, job.TargetCount, evaluatePlan: true);
        var solves = new List<MultiscaleOutput> { cross };
        double? divergence = null;
        if (job.Divergence)
        {
            var selfSource = await SolveOnShardsAsync(SinkhornTerm.SelfSource, sourceBox, job.SourceCount, job.SourceCount, evaluatePlan: false);
            var selfTarget = await SolveOnShardsAsync(SinkhornTerm.SelfTarget, targetBox, job.TargetCount, job.TargetCount, evaluatePlan: false);
            divergence = DebiasedDivergence.Combine(cross.Dual, selfSource.Dual, selfTarget.Dual);
            solves.Add(selfSource);
            solves.Add(selfTarget);
        }

        potentialShift = PotentialNormalisation.Shift(cross.SourceDual, cross.TargetDual);
        return Result(job, cross, solves, divergence) with { NeglectedMass = 0, Levels = 1, Checkpoints = checkpointsWritten, Recoveries = Recoveries };

        Task<MultiscaleOutput> SolveOnShardsAsync(SinkhornTerm term, BoundingBox box, int sourceCount, int targetCount, bool evaluatePlan) =>
            SolveDenseTermAsync(term, solveOptions, box, sourceCount, targetCount, evaluatePlan, token);
    }

    /// <summary>The result fields every branch fills the same way from its solves (cross first).</summary>
    private SinkhornJobResult Result(SinkhornJobSpec job, MultiscaleOutput cross, List<MultiscaleOutput> solves, double? divergence)
    {
        solvedIterations = solves.Sum(s => (long)s.Iterations);
        return Fields(job, cross, solves, divergence);
    }

    private SinkhornJobResult Fields(SinkhornJobSpec job, MultiscaleOutput cross, List<MultiscaleOutput> solves, double? divergence) => new()
    {
        Iterations = cross.Iterations,
        Converged = solves.All(s => s.Converged),
        MarginalError = cross.MarginalError,
        MarginalError2 = cross.MarginalError2,
        Cost = cross.TransportCost,
        Objective = cross.Objective,
        Dual = cross.Dual,
        Divergence = divergence,
        Seconds = 0, // set by RunAsync, which times both branches
        History = [.. solves.SelectMany(s => s.History).Select(h => new SinkhornHistoryPoint(h.Problem, h.Iteration, h.Epsilon, h.MarginalError, h.MarginalError2))],
        Shards = job.Multiscale ? job.Shards : sourceShards.Length,
        KernelEvaluations = solves.Sum(s => s.KernelEvaluations),
        BytesExchanged = solves.Sum(s => s.BytesExchanged),
        NeglectedMass = cross.NeglectedMass,
        Levels = cross.LevelCount,
    };
}
