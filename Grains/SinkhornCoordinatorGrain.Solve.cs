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
    /// The multiscale branch, its points never leaving the shards: for each solve the shards sort their clouds along the
    /// Morton curve and summarise their leaves (<see cref="DistributedMortonSort"/>); this coordinator runs the coarse
    /// levels, the pattern searches and the safeguard on those cluster levels only, and asks the shards for what it needs
    /// from the points (<see cref="ShardMultiscalePoints"/>: radii, extrapolation, bounds, patterns, iterations). The
    /// finished potentials and map go to the shards of their input rows, which serve them; a solve whose hierarchy cannot
    /// help runs dense on the shards. The cross problem and, with the divergence, the two self problems each sort and
    /// solve on the same shards. Input errors it throws (<see cref="JobInputException"/>,
    /// <see cref="InvalidInputException"/>) reach the client as bad input.
    /// </summary>
    private async Task<SinkhornJobResult> SolveMultiscaleAsync(SinkhornJobSpec job, SinkhornOptions solveOptions, CancellationToken token)
    {
        var options = new MultiscaleOptions { Levels = job.Levels == 0 ? null : job.Levels, Truncation = job.Truncation, MemoryBudget = job.MemoryBudget, LeafClusterSize = job.LeafClusterSize };
        var solver = new ShardMultiscaleSolve(GrainFactory, this.GetPrimaryKeyString(), sourceOffsets, targetOffsets, ServiceProvider.GetRequiredService<Orleans.Serialization.Serializer>(), Limits.InstallChunkBytes);

        // The cross solve's outputs stay on the input rows' shards, which serve them. The self plans are evaluated as in
        // process (one pass each), so that the work reported is the same.
        var cross = await solver.SolveAsync(SinkhornTerm.Cross, solveOptions, options, new ShardSolveRequest(EvaluatePlan: true, KeepOutputs: true), ReportProgress, token);
        var solves = new List<MultiscaleOutput> { cross };
        double? divergence = null;
        if (job.Divergence)
        {
            var selfSource = await solver.SolveAsync(SinkhornTerm.SelfSource, solveOptions, options, new ShardSolveRequest(EvaluatePlan: true, KeepOutputs: false), ReportProgress, token);
            var selfTarget = await solver.SolveAsync(SinkhornTerm.SelfTarget, solveOptions, options, new ShardSolveRequest(EvaluatePlan: true, KeepOutputs: false), ReportProgress, token);
            divergence = DebiasedDivergence.Combine(cross.Dual, selfSource.Dual, selfTarget.Dual);
            solves.Add(selfSource);
            solves.Add(selfTarget);
        }

        // The shards serve the potentials as solved: the output convention <f, a> = <g, b> is a shift by the duals.
        potentialShift = PotentialNormalisation.Shift(cross.SourceDual, cross.TargetDual);
        return Result(job, cross, solves, divergence) with
        {
            NeglectedMass = solves.Max(s => s.NeglectedMass),
            Levels = cross.LevelCount,
            DenseReason = cross.DenseReason,
            LeafClusterSize = cross.LeafClusterSize,
            CoordinatorValues = solves.Max(s => s.ResidentValues),
            LevelReports = [.. cross.Levels.Select(l => new SinkhornLevelReport(
                l.Level, l.SourceClusters, l.TargetClusters, l.SurvivingBlockPairs, l.Iterations, l.KernelEvaluations, l.ShardPairs, l.BytesExchanged))],
        };
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
