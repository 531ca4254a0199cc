using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.TestingHost;

namespace Transport.Grains.Tests;

/// <summary>One grain call as the traffic filter saw it: who called whom, which method, and the serialized bytes each way.</summary>
internal sealed record RecordedCall(long Sequence, string? Source, string Target, string Interface, string Method, long ArgumentBytes, long ResultBytes)
{
    public long Bytes => ArgumentBytes + ResultBytes;
}

/// <summary>
/// Every grain call a test cluster's silos receive, with the bytes its arguments and its result take in Orleans'
/// serializer (what goes over the wire between silos). Tests filter by their job's id, which every grain key of a job
/// carries, so that clusters and tests sharing the recorder never mix.
/// </summary>
internal static class CallTraffic
{
    private static readonly ConcurrentQueue<RecordedCall> Calls = new();
    private static long sequence;

    /// <summary>The sequence number the next completed call gets: calls recorded before a mark completed before it.</summary>
    public static long Mark => Interlocked.Read(ref sequence);

    public static void Add(string? source, string target, string @interface, string method, long argumentBytes, long resultBytes) =>
        Calls.Enqueue(new RecordedCall(Interlocked.Increment(ref sequence), source, target, @interface, method, argumentBytes, resultBytes));

    /// <summary>The calls whose caller or callee key contains <paramref name="jobId"/>.</summary>
    public static RecordedCall[] Of(string jobId) =>
        [.. Calls.Where(c => c.Target.Contains(jobId, StringComparison.Ordinal) || (c.Source?.Contains(jobId, StringComparison.Ordinal) ?? false))];
}

/// <summary>The incoming call filter that records <see cref="CallTraffic"/>.</summary>
internal sealed class TrafficFilter(Serializer serializer) : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.Request.GetInterfaceType().Namespace?.StartsWith("Transport.", StringComparison.Ordinal) != true)
        {
            // The runtime's own calls (membership, directory) are not the product's traffic.
            await context.Invoke();
            return;
        }

        long argumentBytes = 0;
        for (var a = 0; a < context.Request.GetArgumentCount(); a++)
        {
            argumentBytes += Size(context.Request.GetArgument(a));
        }

        await context.Invoke();
        CallTraffic.Add(context.SourceId?.ToString(), context.TargetId.ToString(), context.InterfaceName, context.MethodName, argumentBytes, Size(context.Result));
    }

    private long Size(object? value) => value is null ? 0 : serializer.SerializeToArray(value).Length;
}

/// <summary>A test cluster of <see cref="Silos"/> silos whose every grain call is recorded (<see cref="CallTraffic"/>).</summary>
public abstract class TrafficClusterFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.GrainFactory;

    /// <summary>The install chunk of these clusters' silos (<see cref="JobLimits.InstallChunkBytes"/>).</summary>
    public const int InstallChunkBytes = 8 * 1024;

    protected abstract short Silos { get; }

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(Silos);
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.StopAllSilosAsync();

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.AddMemoryGrainStorageAsDefault();
            siloBuilder.Services.AddCatalogFlowModels();
            siloBuilder.AddIncomingGrainCallFilter<TrafficFilter>();

            // Small install chunks, so that a test-sized multiscale share is installed in several.
            siloBuilder.Services.Configure<JobLimits>(limits => limits.InstallChunkBytes = InstallChunkBytes);
        }
    }
}

/// <summary>One silo: every call stays in the process, but it is still a grain call.</summary>
public sealed class OneSiloTrafficFixture : TrafficClusterFixture
{
    protected override short Silos => 1;
}

/// <summary>Three silos: a job's shards spread over them.</summary>
public sealed class ThreeSiloTrafficFixture : TrafficClusterFixture
{
    protected override short Silos => 3;
}
