using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Transport.Grains;

/// <summary>
/// The product's one <see cref="System.Diagnostics.Metrics.Meter"/> and one
/// <see cref="System.Diagnostics.ActivitySource"/>, both named <see cref="Name"/>. Tags are bounded
/// (problem kind, side, precision): never a grain or problem id.
/// </summary>
public static class TransportTelemetry
{
    /// <summary>Name of the meter and the activity source.</summary>
    public const string Name = "Transport.Distributed";

    /// <summary>The meter.</summary>
    public static readonly Meter Meter = new(Name);

    /// <summary>The activity source (one activity per solve).</summary>
    public static readonly ActivitySource ActivitySource = new(Name);

    /// <summary>Sinkhorn iterations completed (tag <c>problem</c>: cross, self-source, self-target).</summary>
    public static readonly Counter<long> Iterations = Meter.CreateCounter<long>("transport.sinkhorn.iterations", "{iteration}", "Sinkhorn iterations completed");

    /// <summary>Query-key pairs evaluated by the softmax reduction on shards (tag <c>precision</c>).</summary>
    public static readonly Counter<long> KernelEvaluations = Meter.CreateCounter<long>("transport.kernel.evaluations", "{pair}", "Query-key pairs evaluated by the softmax reduction");

    /// <summary>Bytes of potentials and points pulled from peer shards.</summary>
    public static readonly Counter<long> BytesExchanged = Meter.CreateCounter<long>("transport.shard.bytes_exchanged", "By", "Bytes pulled from peer shards");

    /// <summary>Calls received by a job's shard grains (tag <c>grain</c>: the shard kind).</summary>
    public static readonly Counter<long> Messages = Meter.CreateCounter<long>("transport.messages", "{message}", "Calls received by shard grains");

    /// <summary>Payload bytes (arguments and results) of the calls received by shard grains (tag <c>grain</c>).</summary>
    public static readonly Counter<long> PayloadBytes = Meter.CreateCounter<long>("transport.payload.bytes", "By", "Payload bytes of the calls received by shard grains");

    /// <summary>Duration of one half-step on a shard (tag <c>operation</c>).</summary>
    public static readonly Histogram<double> StepDuration = Meter.CreateHistogram<double>("transport.shard.step.duration", "s", "Duration of one shard half-step");

    /// <summary>L1 marginal error at each convergence check (tag <c>problem</c>).</summary>
    public static readonly Histogram<double> MarginalError = Meter.CreateHistogram<double>("transport.sinkhorn.marginal_error", "1", "L1 marginal error at each check");

    /// <summary>Flow steps accepted by flow coordinators (tag <c>model</c>).</summary>
    public static readonly Counter<long> FlowSteps = Meter.CreateCounter<long>("transport.flow.steps", "{step}", "Flow steps accepted");

    /// <summary>Adaptive flow attempts rejected before an accepted step (tag <c>model</c>).</summary>
    public static readonly Counter<long> FlowRejectedSteps = Meter.CreateCounter<long>("transport.flow.rejected_steps", "{step}", "Adaptive flow attempts rejected");

    /// <summary>Particle denoiser evaluations on particle shards: particles times evaluations (tag <c>target</c>).</summary>
    public static readonly Counter<long> DenoiserEvaluations = Meter.CreateCounter<long>("transport.sampling.denoiser_evaluations", "{particle}", "Particle denoiser evaluations on particle shards");

    /// <summary>Bytes of queries and softmax partials exchanged between particle shards and data shards.</summary>
    public static readonly Counter<long> SamplingBytes = Meter.CreateCounter<long>("transport.sampling.bytes", "By", "Bytes of queries and partials between particle and data shards");
}
