using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Transport.Grains;

namespace Transport.Silo;

/// <summary>One place that turns <see cref="TransportSiloOptions"/> into an Orleans silo configuration.</summary>
public static class TransportSiloBuilderExtensions
{
    /// <summary>
    /// Applies clustering (localhost or Redis membership), endpoints, storage and reminders (memory or Redis), mutual
    /// TLS (when <see cref="TransportSiloOptions.TlsCertificate"/> is set), failure detection and messaging limits.
    /// Throws <see cref="TransportSettingsException"/> for settings that contradict each other or certificate files
    /// that cannot be used; <see cref="TransportPreflight"/> checks them against the machine.
    /// </summary>
    public static ISiloBuilder AddTransportSilo(this ISiloBuilder silo, TransportSiloOptions options)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(options);
        TransportSettings.Check(options);
        var redisSetting = TransportSettings.Name(nameof(TransportSiloOptions.Redis));
        switch (options.Clustering)
        {
            case "localhost":
                silo.UseLocalhostClustering(
                    options.SiloPort,
                    options.GatewayPort,
                    new IPEndPoint(IPAddress.Loopback, options.PrimarySiloPort),
                    options.ServiceId,
                    options.ClusterId);
                break;
            default:
                var redis = TransportRedis.Options(options.Redis!, redisSetting);
                silo.UseRedisClustering(clustering => clustering.ConfigurationOptions = redis.Clone());
                silo.Configure<ClusterOptions>(cluster =>
                {
                    cluster.ClusterId = options.ClusterId;
                    cluster.ServiceId = options.ServiceId;
                });
                if (TransportSettings.ResolveAdvertisedAddress(options) is { } advertised)
                {
                    silo.ConfigureEndpoints(advertised, options.SiloPort, options.GatewayPort, options.ListenOnAnyAddress);
                }
                else
                {
                    silo.ConfigureEndpoints(options.SiloPort, options.GatewayPort, listenOnAnyHostAddress: options.ListenOnAnyAddress);
                }

                break;
        }

        if (options.Storage == "redis")
        {
            var redis = TransportRedis.Options(options.Redis!, redisSetting);
            silo.AddRedisGrainStorageAsDefault(storage => storage.ConfigurationOptions = redis.Clone());
            silo.UseRedisReminderService(reminders => reminders.ConfigurationOptions = redis.Clone());
        }
        else
        {
            silo.AddMemoryGrainStorageAsDefault();
            silo.UseInMemoryReminderService();
        }

        if (TransportTlsCredentials.LoadForSilo(options) is { } tls)
        {
            silo.UseTransportTls(tls);
        }

        // The strongly consistent grain directory: with the default (eventually consistent) one, the loss of the silo
        // holding a grain's directory entry let a client's call create a second activation of a job's coordinator while
        // the first still ran the job; both then drove the same shards (the chaos driver saw a recovered Sinkhorn job end
        // with other numbers). This directory allows one activation at a time through membership changes, and keeps the
        // grains whose entries lived on the dead silo. Orleans marks it experimental (ORLEANSEXP003).
#pragma warning disable ORLEANSEXP003
        silo.AddDistributedGrainDirectory();
#pragma warning restore ORLEANSEXP003

        // Grain calls carry the caller's trace context: one run is one trace, with a child span per shard step.
        silo.AddActivityPropagation();
        silo.Services.AddTransportTelemetry(options, "transport-silo");
        silo.Services.AddCatalogFlowModels();

        // The coordinators check every job against these before allocating anything (JobLimits).
        var limits = options.ToJobLimits();
        silo.Services.Configure<JobLimits>(configured =>
        {
            configured.MaxPointsPerJob = limits.MaxPointsPerJob;
            configured.MaxPointsPerShard = limits.MaxPointsPerShard;
            configured.MaxDimension = limits.MaxDimension;
            configured.MaxConcurrentJobs = limits.MaxConcurrentJobs;
            configured.MaxJobMemory = limits.MaxJobMemory;
            configured.UploadLease = limits.UploadLease;
            configured.InstallChunkBytes = limits.InstallChunkBytes;
        });
        silo.Configure<ClusterMembershipOptions>(membership =>
        {
            membership.ProbeTimeout = options.ProbeTimeout;
            membership.NumMissedProbesLimit = options.MissedProbes;
        });
        silo.Configure<CheckpointOptions>(checkpoints =>
        {
            // Checkpoints protect runs from the loss of a silo only where the storage outlives it.
            checkpoints.Enabled = options.Storage == "redis";
            checkpoints.Interval = options.CheckpointInterval;
            checkpoints.EveryIterations = options.CheckpointEvery;
        });
        silo.Configure<SiloMessagingOptions>(messaging =>
        {
            messaging.ResponseTimeout = options.ResponseTimeout;
            messaging.MaxMessageBodySize = options.MaxMessageBodySize;
        });
        return silo;
    }

    /// <summary>Applies the matching client-side settings (localhost gateway, timeouts, message size, TLS).</summary>
    public static IClientBuilder AddTransportClient(this IClientBuilder client, TransportSiloOptions options)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        client.UseLocalhostClustering(options.GatewayPort, options.ServiceId, options.ClusterId);
        client.ApplyTransportMessaging(options);
        client.ApplyTransportTls(options);
        return client;
    }
}
