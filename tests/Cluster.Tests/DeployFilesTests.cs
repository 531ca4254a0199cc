using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Transport.Silo;
using YamlDotNet.RepresentationModel;

namespace Transport.Cluster.Tests;

/// <summary>
/// The files under <c>deploy/</c> (Dockerfiles, compose.yaml, k8s/*.yaml, README.md) cannot run here, so they are parsed
/// and checked against the silo's code: every <c>Transport__KEY</c> is a key the silo accepts (read from the code at
/// test time), the exposed, published, probed and serviced ports are the configured ones (the image's ENV, then the
/// compose or pod environment, then the code's defaults), the images referenced are the ones the Dockerfiles and the
/// README build, and the Kubernetes silo advertises its pod IP, has probes and no CPU limit. Every problem names the
/// file and the field; all problems of a file set are reported together.
/// </summary>
public sealed partial class DeployFilesTests
{
    private const string SiloDockerfile = "deploy/silo.Dockerfile";
    private const string ClientDockerfile = "deploy/client.Dockerfile";
    private const string ComposeFile = "deploy/compose.yaml";
    private const string DeployReadme = "deploy/README.md";

    private static readonly string Root = FindRoot();

    [Fact]
    public void The_silo_keys_are_read_from_the_code()
    {
        var keys = SiloKeys();
        Assert.Contains(nameof(TransportSiloOptions.GatewayPort), keys);
        Assert.Contains(nameof(TransportSiloOptions.AdvertisedAddress), keys);
        Assert.DoesNotContain(nameof(TransportSiloOptions.Section), keys);
        Assert.All(keys, key => Assert.NotNull(typeof(TransportSiloOptions).GetProperty(key)));
    }

    [Fact]
    public void The_dockerfiles_build_on_the_dotnet_10_images_run_the_right_assembly_as_non_root_and_expose_the_configured_ports()
    {
        var problems = new Problems();
        var silo = Dockerfile.Read(SiloDockerfile);
        var client = Dockerfile.Read(ClientDockerfile);
        foreach (var file in new[] { silo, client })
        {
            Expect(problems, file.Path, "FROM (build stage)", file.Stages.Any(s => s.Image == "mcr.microsoft.com/dotnet/sdk:10.0"), "no stage builds FROM mcr.microsoft.com/dotnet/sdk:10.0");
            Expect(problems, file.Path, "FROM (last stage)", file.Final.Image == "mcr.microsoft.com/dotnet/aspnet:10.0", $"the runtime stage is FROM '{file.Final.Image}', expected mcr.microsoft.com/dotnet/aspnet:10.0 (the silo references ASP.NET Core for the dashboard)");
            var user = file.Final.Last("USER");
            Expect(problems, file.Path, "USER", user is not null && !IsRoot(user), $"the runtime stage must switch to a non-root user, has '{user ?? "(none)"}'");
            foreach (var stage in file.Stages)
            {
                CheckKeys(problems, file.Path, "ENV", stage.Env.Keys);
            }
        }

        CheckEntrypoint(problems, silo, "Silo/Silo.csproj");
        CheckEntrypoint(problems, client, "Client/Client.csproj");

        // The silo image's container defaults.
        var env = silo.Final.Env;
        foreach (var (key, value) in new[] { ("Clustering", "redis"), ("Storage", "redis"), ("ListenOnAnyAddress", "true"), ("DashboardAddress", "0.0.0.0") })
        {
            if (!SiloKeys().Contains(key))
            {
                continue; // DashboardAddress: only once the code has it.
            }

            Expect(problems, silo.Path, $"ENV Transport__{key}", env.TryGetValue($"Transport__{key}", out var actual) && string.Equals(actual, value, StringComparison.OrdinalIgnoreCase), $"expected {value} in the container, got '{actual ?? "(unset)"}'");
        }

        var settings = Settings(silo.Final.Env);
        var expected = SiloPorts(settings);
        var exposed = silo.Final.All("EXPOSE").SelectMany(e => e.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Select(p => ParsePort(p.Split('/')[0])).ToHashSet();
        Expect(problems, silo.Path, "EXPOSE", exposed.SetEquals(expected.Values), $"exposes {Join(exposed)}, the configured ports are {Describe(expected)}");
        var health = silo.Final.Last("HEALTHCHECK") ?? "";
        Expect(problems, silo.Path, "HEALTHCHECK", health.Contains("Transport__GatewayPort", StringComparison.Ordinal) || PortMentioned(health, expected["GatewayPort"]), $"must probe the gateway port ({expected["GatewayPort"]}): '{health}'");
        problems.AssertNone();
    }

    [Fact]
    public void Compose_runs_redis_and_three_silos_whose_ports_env_and_images_agree_with_the_silo()
    {
        var problems = new Problems();
        var tags = ImageTags(problems);
        var image = Settings(Dockerfile.Read(SiloDockerfile).Final.Env);
        var services = Mapping(LoadYaml(ComposeFile).Single(), "services");
        Expect(problems, ComposeFile, "services", services is not null, "missing");
        var all = Entries(services).ToList();

        var redis = all.Where(s => (Text(s.Value, "image") ?? "").StartsWith("redis:7", StringComparison.Ordinal)).ToList();
        Expect(problems, ComposeFile, "services.*.image", redis.Count == 1, $"expected one redis:7 service, found {redis.Count}");
        var redisName = redis.Count == 1 ? redis[0].Key : "redis";
        Expect(problems, ComposeFile, $"services.{redisName}.healthcheck", redis.Count == 1 && Get(redis[0].Value, "healthcheck", "test") is not null, "Redis needs a healthcheck (the silos wait for it)");

        var silos = all.Where(s => IsBuiltFrom(s.Value, SiloDockerfile) || Text(s.Value, "image") == tags.GetValueOrDefault(SiloDockerfile)).ToList();
        Expect(problems, ComposeFile, "services", silos.Count == 3, $"expected 3 silo services (image {tags.GetValueOrDefault(SiloDockerfile)}), found {silos.Count}");
        var advertised = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, service) in silos)
        {
            var where = $"services.{name}";
            CheckImage(problems, ComposeFile, where, service, tags);
            var environment = ComposeEnvironment(service);
            CheckKeys(problems, ComposeFile, $"{where}.environment", environment.Keys);
            var settings = Overlay(image, environment);
            var ports = SiloPorts(settings);

            // Published (on loopback, checked below for every service) onto a port the silo listens on; the dashboard is published.
            var published = ComposePorts(service).ToList();
            foreach (var (_, host, container) in published)
            {
                Expect(problems, ComposeFile, $"{where}.ports", ports.ContainsValue(container), $"container port {container} is none of the silo's {Describe(ports)}");
            }

            if (ports.TryGetValue("DashboardPort", out var dashboard))
            {
                Expect(problems, ComposeFile, $"{where}.ports", published.Any(p => p.Container == dashboard), $"the dashboard port {dashboard} is not published");
            }

            var exposed = Sequence(service, "expose").Select(n => ParsePort(Scalar(n))).ToHashSet();
            Expect(problems, ComposeFile, $"{where}.expose", exposed.Count == 0 || exposed.SetEquals(ports.Values), $"exposes {Join(exposed)}, the configured ports are {Describe(ports)}");

            var health = string.Join(' ', Sequence(service, "healthcheck", "test").Select(Scalar));
            Expect(problems, ComposeFile, $"{where}.healthcheck.test", PortMentioned(health, ports["GatewayPort"]), $"must probe the gateway port {ports["GatewayPort"]}: '{health}'");
            Expect(problems, ComposeFile, $"{where}.depends_on.{redisName}.condition", Text(service, "depends_on", redisName, "condition") == "service_healthy", "the silo must wait for a healthy Redis");

            // Redis: the compose service, on the port Redis listens on.
            var redisSetting = settings.GetValueOrDefault("Redis");
            Expect(problems, ComposeFile, $"{where}.environment.Transport__Redis", redisSetting == $"{redisName}:6379", $"expected {redisName}:6379 (the Redis service), got '{redisSetting ?? "(unset)"}'");

            // Each silo advertises its own name in the compose network.
            var address = settings.GetValueOrDefault("AdvertisedAddress");
            var hostname = Text(service, "hostname") ?? name;
            Expect(problems, ComposeFile, $"{where}.environment.Transport__AdvertisedAddress", string.Equals(address, hostname, StringComparison.OrdinalIgnoreCase) || string.Equals(address, name, StringComparison.OrdinalIgnoreCase), $"expected the service's hostname '{hostname}', got '{address ?? "(unset)"}'");
            if (address is not null && !advertised.TryAdd(address, name))
            {
                problems.Add(ComposeFile, $"{where}.environment.Transport__AdvertisedAddress", $"'{address}' is also advertised by {advertised[address]}");
            }

            ids.Add($"{settings["ClusterId"]}/{settings["ServiceId"]}");
        }

        Expect(problems, ComposeFile, "services.*.environment.Transport__ClusterId/ServiceId", ids.Count <= 1, $"the silos belong to different clusters: {string.Join(", ", ids)}");

        // Loopback-only publishing for every service, Redis included.
        foreach (var (name, service) in all)
        {
            foreach (var (hostIp, host, container) in ComposePorts(service))
            {
                Expect(problems, ComposeFile, $"services.{name}.ports", hostIp == "127.0.0.1", $"'{host}:{container}' must be published on 127.0.0.1 only");
            }
        }

        // The console service: the client image, valid keys, the silos' ids.
        var clients = all.Where(s => IsBuiltFrom(s.Value, ClientDockerfile) || Text(s.Value, "image") == tags.GetValueOrDefault(ClientDockerfile)).ToList();
        foreach (var (name, service) in clients)
        {
            CheckImage(problems, ComposeFile, $"services.{name}", service, tags);
            var environment = ComposeEnvironment(service);
            CheckKeys(problems, ComposeFile, $"services.{name}.environment", environment.Keys);
            var settings = Overlay(Settings(Dockerfile.Read(ClientDockerfile).Final.Env), environment);
            Expect(problems, ComposeFile, $"services.{name}.environment.Transport__ClusterId/ServiceId", ids.Count != 1 || ids.Contains($"{settings["ClusterId"]}/{settings["ServiceId"]}"), $"the console's ids {settings["ClusterId"]}/{settings["ServiceId"]} are not the silos' {string.Join(", ", ids)}");
        }

        // Any other image is either Redis or one of the project's.
        foreach (var (name, service) in all)
        {
            var used = Text(service, "image");
            Expect(problems, ComposeFile, $"services.{name}.image", used is not null && (used.StartsWith("redis:", StringComparison.Ordinal) || tags.ContainsValue(used)), $"'{used ?? "(none)"}' is neither redis nor an image the Dockerfiles build ({string.Join(", ", tags.Values)})");
        }

        problems.AssertNone();
    }

    [Fact]
    public void The_kubernetes_silos_advertise_their_pod_ip_have_probes_no_cpu_limit_and_services_on_their_ports()
    {
        var problems = new Problems();
        var tags = ImageTags(problems);
        var image = Settings(Dockerfile.Read(SiloDockerfile).Final.Env);
        var files = Directory.GetFiles(Path.Combine(Root, "deploy", "k8s"), "*.yaml").Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(files);
        var documents = files.SelectMany(f => LoadYaml(Relative(f)).Select(d => (File: Relative(f), Doc: d))).ToList();
        var kinds = documents.Select(d => (d.File, d.Doc, Kind: Text(d.Doc, "kind") ?? "", Name: Text(d.Doc, "metadata", "name") ?? "")).ToList();
        var deployments = kinds.Where(k => k.Kind is "Deployment" or "StatefulSet").ToList();
        var services = kinds.Where(k => k.Kind == "Service").ToList();

        // Every container: images known, keys valid, no CPU limit.
        foreach (var (file, doc, kind, name) in deployments)
        {
            foreach (var container in Sequence(doc, "spec", "template", "spec", "containers"))
            {
                var where = $"{kind} {name}: container {Text(container, "name")}";
                var used = Text(container, "image");
                Expect(problems, file, $"{where}.image", used is not null && (used.StartsWith("redis:7", StringComparison.Ordinal) || tags.ContainsValue(used)), $"'{used ?? "(none)"}' is neither redis:7 nor an image the Dockerfiles build ({string.Join(", ", tags.Values)})");
                CheckKeys(problems, file, $"{where}.env", Sequence(container, "env").Select(e => Text(e, "name") ?? ""));
                Expect(problems, file, $"{where}.resources.limits.cpu", Get(container, "resources", "limits", "cpu") is null, "no CPU limit: a throttled silo misses its probes and is voted dead");
                Expect(problems, file, $"{where}.resources.requests", Get(container, "resources", "requests", "cpu") is not null && Get(container, "resources", "requests", "memory") is not null, "requests cpu and memory");
            }
        }

        var siloTag = tags.GetValueOrDefault(SiloDockerfile);
        var silos = deployments.Where(d => Sequence(d.Doc, "spec", "template", "spec", "containers").Any(c => Text(c, "image") == siloTag)).ToList();
        Expect(problems, "deploy/k8s", "Deployment (image)", silos.Count == 1, $"expected one Deployment running {siloTag}, found {silos.Count}");
        foreach (var (file, doc, kind, name) in silos)
        {
            Expect(problems, file, $"{kind} {name}: spec.replicas", Text(doc, "spec", "replicas") == "3", $"expected 3 silos, got '{Text(doc, "spec", "replicas")}'");
            var podLabels = Labels(Get(doc, "spec", "template", "metadata", "labels"));
            var selector = Labels(Get(doc, "spec", "selector", "matchLabels"));
            Expect(problems, file, $"{kind} {name}: spec.selector.matchLabels", selector.Count > 0 && selector.All(l => podLabels.GetValueOrDefault(l.Key) == l.Value), "must select the pod template's labels");
            var container = Sequence(doc, "spec", "template", "spec", "containers").First(c => Text(c, "image") == siloTag);
            var where = $"{kind} {name}: container {Text(container, "name")}";

            // The environment: plain values overlay the image's ENV; the advertised address is the pod IP.
            var env = Sequence(container, "env").ToList();
            var values = env.Where(e => Text(e, "value") is not null).ToDictionary(e => Text(e, "name")!, e => Text(e, "value")!, StringComparer.OrdinalIgnoreCase);
            var settings = Overlay(image, values);
            var advertised = env.FirstOrDefault(e => Text(e, "name") == "Transport__AdvertisedAddress");
            Expect(problems, file, $"{where}.env.Transport__AdvertisedAddress.valueFrom.fieldRef.fieldPath", advertised is not null && Text(advertised, "valueFrom", "fieldRef", "fieldPath") == "status.podIP", "the silo must advertise its pod IP (downward API status.podIP)");
            Expect(problems, file, $"{where}.env.Transport__ListenOnAnyAddress", string.Equals(settings.GetValueOrDefault("ListenOnAnyAddress"), "true", StringComparison.OrdinalIgnoreCase), "must listen on any address (image ENV or env)");

            // Orleans' Kubernetes labels, when present, name this cluster.
            foreach (var (label, key) in new[] { ("orleans/clusterId", "ClusterId"), ("orleans/serviceId", "ServiceId") })
            {
                if (podLabels.TryGetValue(label, out var labelled))
                {
                    Expect(problems, file, $"{kind} {name}: spec.template.metadata.labels.{label}", labelled == settings[key], $"'{labelled}' but Transport__{key} is '{settings[key]}'");
                }
            }

            // Container ports are the configured ones; probes and services reach them.
            var ports = SiloPorts(settings);
            var containerPorts = Sequence(container, "ports").ToDictionary(p => Text(p, "name") ?? Text(p, "containerPort")!, p => ParsePort(Text(p, "containerPort")), StringComparer.Ordinal);
            Expect(problems, file, $"{where}.ports[].containerPort", containerPorts.Values.ToHashSet().SetEquals(ports.Values), $"declares {Join(containerPorts.Values)}, the configured ports are {Describe(ports)}");
            foreach (var probe in new[] { "readinessProbe", "livenessProbe", "startupProbe" })
            {
                var node = Get(container, probe);
                if (node is null)
                {
                    Expect(problems, file, $"{where}.{probe}", probe == "startupProbe", "missing");
                    continue;
                }

                var tcp = Text(node, "tcpSocket", "port");
                var http = Text(node, "httpGet", "port");
                var target = tcp ?? http;
                var port = target is null ? -1 : Resolve(target, containerPorts);
                var wanted = tcp is not null ? ports["GatewayPort"] : ports.GetValueOrDefault("DashboardPort", -1);
                Expect(problems, file, $"{where}.{probe}.{(tcp is not null ? "tcpSocket" : "httpGet")}.port", target is not null && port == wanted, $"'{target ?? "(none)"}' is port {port}, expected {(tcp is not null ? "the gateway" : "the dashboard")} port {wanted}");
            }

            var serving = services.Where(s => Labels(Get(s.Doc, "spec", "selector")) is var sel && sel.Count > 0 && sel.All(l => podLabels.GetValueOrDefault(l.Key) == l.Value)).ToList();
            var served = new HashSet<int>();
            foreach (var service in serving)
            {
                foreach (var port in Sequence(service.Doc, "spec", "ports"))
                {
                    var target = Text(port, "targetPort") ?? Text(port, "port")!;
                    var resolved = Resolve(target, containerPorts);
                    Expect(problems, service.File, $"Service {service.Name}: spec.ports[{Text(port, "name")}].targetPort", containerPorts.ContainsValue(resolved), $"'{target}' is no container port of the silo ({Join(containerPorts.Values)})");
                    Expect(problems, service.File, $"Service {service.Name}: spec.ports[{Text(port, "name")}].port", Text(port, "port") == resolved.ToString(CultureInfo.InvariantCulture), $"{Text(port, "port")} differs from the silo port it targets ({resolved}): clients and kubectl port-forward use the configured numbers");
                    served.Add(resolved);
                }
            }

            Expect(problems, "deploy/k8s", $"Service selecting {name}", served.Contains(ports["GatewayPort"]), $"no Service exposes the gateway port {ports["GatewayPort"]}");
            if (ports.TryGetValue("DashboardPort", out var dashboard))
            {
                Expect(problems, "deploy/k8s", $"Service selecting {name}", served.Contains(dashboard), $"no Service exposes the dashboard port {dashboard}");
            }

            // Transport__Redis names a Service in front of a redis:7 pod, on the port Redis listens on.
            var redis = settings.GetValueOrDefault("Redis") ?? "";
            var (redisHost, redisPort) = SplitHostPort(redis);
            var redisService = services.FirstOrDefault(s => s.Name == redisHost);
            Expect(problems, file, $"{where}.env.Transport__Redis", redisService.Doc is not null, $"'{redis}' names no Service of deploy/k8s");
            if (redisService.Doc is not null)
            {
                var port = Sequence(redisService.Doc, "spec", "ports").FirstOrDefault(p => Text(p, "port") == redisPort.ToString(CultureInfo.InvariantCulture));
                Expect(problems, redisService.File, $"Service {redisHost}: spec.ports", port is not null, $"no port {redisPort} (Transport__Redis is '{redis}')");
                var selector2 = Labels(Get(redisService.Doc, "spec", "selector"));
                var redisPods = deployments.Where(d => Labels(Get(d.Doc, "spec", "template", "metadata", "labels")) is var l && selector2.Count > 0 && selector2.All(s => l.GetValueOrDefault(s.Key) == s.Value)).ToList();
                var redisContainer = redisPods.SelectMany(d => Sequence(d.Doc, "spec", "template", "spec", "containers")).FirstOrDefault(c => (Text(c, "image") ?? "").StartsWith("redis:7", StringComparison.Ordinal));
                Expect(problems, redisService.File, $"Service {redisHost}: spec.selector", redisContainer is not null, "selects no redis:7 pod");
                if (redisContainer is not null && port is not null)
                {
                    var redisPorts = Sequence(redisContainer, "ports").ToDictionary(p => Text(p, "name") ?? Text(p, "containerPort")!, p => ParsePort(Text(p, "containerPort")), StringComparer.Ordinal);
                    var target = Text(port, "targetPort") ?? Text(port, "port")!;
                    Expect(problems, redisService.File, $"Service {redisHost}: spec.ports.targetPort", Resolve(target, redisPorts) == 6379, $"'{target}' is not Redis' port 6379");
                }
            }
        }

        problems.AssertNone();
    }

    [Fact]
    public void The_readme_builds_the_images_the_files_use_and_names_only_real_keys()
    {
        var problems = new Problems();
        var tags = ImageTags(problems);
        var readme = File.ReadAllText(Path.Combine(Root, DeployReadme));
        CheckKeys(problems, DeployReadme, "text", TransportVariable().Matches(readme).Select(m => m.Value));
        Expect(problems, DeployReadme, "link", readme.Contains("../README.md#cluster-configuration", StringComparison.Ordinal), "must link the README's \"Cluster configuration\" table (../README.md#cluster-configuration)");
        foreach (var (dockerfile, tag) in tags)
        {
            Expect(problems, DeployReadme, "docker build", readme.Contains($"-t {tag}", StringComparison.Ordinal), $"does not build {tag} from {dockerfile}");
        }

        foreach (var file in new[] { SiloDockerfile, ClientDockerfile, ComposeFile })
        {
            CheckKeys(problems, file, "text", TransportVariable().Matches(File.ReadAllText(Path.Combine(Root, file))).Select(m => m.Value));
        }

        problems.AssertNone();
    }

    // ---- the silo's configuration, from the code ----

    /// <summary>The keys the silo accepts: <c>TransportSettings.Keys</c> when it can be read, else the settable option properties.</summary>
    private static HashSet<string> SiloKeys()
    {
        var field = typeof(TransportSettings).GetField("Keys", BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Static);
        var keys = field?.GetValue(null) as string[]
            ?? typeof(TransportSiloOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).Select(p => p.Name).ToArray();
        return new HashSet<string>(keys, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The code's defaults as text, overlaid by <c>Transport__KEY</c> variables.</summary>
    private static Dictionary<string, string> Settings(Dictionary<string, string> variables)
    {
        var defaults = new TransportSiloOptions();
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var property in typeof(TransportSiloOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetValue(defaults) is { } value)
            {
                settings[property.Name] = Convert.ToString(value, CultureInfo.InvariantCulture)!;
            }
        }

        return Overlay(settings, variables);
    }

    private static Dictionary<string, string> Overlay(Dictionary<string, string> settings, Dictionary<string, string> variables)
    {
        var result = new Dictionary<string, string>(settings, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in variables)
        {
            if (name.StartsWith("Transport__", StringComparison.OrdinalIgnoreCase))
            {
                result[name["Transport__".Length..]] = value;
            }
        }

        return result;
    }

    /// <summary>The ports a silo listens on with these settings: silo, gateway and (unless 0 or not in the code) dashboard.</summary>
    private static Dictionary<string, int> SiloPorts(Dictionary<string, string> settings)
    {
        var ports = new Dictionary<string, int>(StringComparer.Ordinal)
        {
            ["SiloPort"] = ParsePort(settings["SiloPort"]),
            ["GatewayPort"] = ParsePort(settings["GatewayPort"]),
        };
        if (SiloKeys().Contains("DashboardPort") && settings.TryGetValue("DashboardPort", out var dashboard) && dashboard != "0")
        {
            ports["DashboardPort"] = ParsePort(dashboard);
        }

        return ports;
    }

    private static void CheckKeys(Problems problems, string file, string field, IEnumerable<string> names)
    {
        var keys = SiloKeys();
        // Transport__KEY (upper case, as written) is the placeholder the comments and the README use for any key.
        foreach (var name in names.Where(n => n.StartsWith("Transport__", StringComparison.OrdinalIgnoreCase) && n != "Transport__KEY"))
        {
            var key = name["Transport__".Length..];
            Expect(problems, file, $"{field} {name}", keys.Contains(key), $"'{key}' is not a silo setting (Transport keys: {string.Join(", ", keys.Order(StringComparer.Ordinal))})");
        }
    }

    private static void CheckEntrypoint(Problems problems, Dockerfile file, string project)
    {
        var assembly = AssemblyNameRegex().Match(File.ReadAllText(Path.Combine(Root, project))).Groups[1].Value + ".dll";
        var entrypoint = file.Final.Last("ENTRYPOINT");
        var words = entrypoint is null ? [] : JsonSerializer.Deserialize<string[]>(entrypoint) ?? [];
        Expect(problems, file.Path, "ENTRYPOINT", words.Length == 2 && words[0] == "dotnet" && (words[1] == assembly || words[1].EndsWith("/" + assembly, StringComparison.Ordinal)), $"expected [\"dotnet\", \"{assembly}\"] ({project}'s AssemblyName), got {entrypoint ?? "(none)"}");
        Expect(problems, file.Path, "RUN dotnet publish", file.Stages.Any(s => s.All("RUN").Any(r => r.Contains($"dotnet publish {project}", StringComparison.Ordinal))), $"does not publish {project}");
    }

    // ---- image tags ----

    /// <summary>The tag each Dockerfile is built as: its own header's <c>docker build -f FILE -t TAG</c>, which the README must repeat.</summary>
    private static Dictionary<string, string> ImageTags(Problems problems)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        var readme = File.ReadAllText(Path.Combine(Root, DeployReadme));
        foreach (var dockerfile in new[] { SiloDockerfile, ClientDockerfile })
        {
            var own = BuildCommands(File.ReadAllText(Path.Combine(Root, dockerfile))).Where(b => b.File == dockerfile).Select(b => b.Tag).Distinct().ToList();
            var documented = BuildCommands(readme).Where(b => b.File == dockerfile).Select(b => b.Tag).Distinct().ToList();
            Expect(problems, dockerfile, "header (docker build -f ... -t ...)", own.Count == 1, $"expected one 'docker build -f {dockerfile} -t TAG' in its comments, found {own.Count}");
            Expect(problems, DeployReadme, $"docker build -f {dockerfile}", documented.SequenceEqual(own), $"builds {string.Join(", ", documented)}, the Dockerfile says {string.Join(", ", own)}");
            if (own.Count == 1)
            {
                tags[dockerfile] = own[0];
            }
        }

        return tags;
    }

    private static IEnumerable<(string File, string Tag)> BuildCommands(string text)
    {
        foreach (Match command in DockerBuildRegex().Matches(text))
        {
            var line = command.Value;
            var file = DockerfileOption().Match(line);
            var tag = TagOption().Match(line);
            if (file.Success && tag.Success)
            {
                yield return (file.Groups[1].Value, tag.Groups[1].Value);
            }
        }
    }

    private static bool IsBuiltFrom(YamlNode service, string dockerfile) => Text(service, "build", "dockerfile") == dockerfile;

    private static void CheckImage(Problems problems, string file, string where, YamlNode service, Dictionary<string, string> tags)
    {
        var dockerfile = Text(service, "build", "dockerfile");
        if (dockerfile is null)
        {
            return;
        }

        Expect(problems, file, $"{where}.build.context", Text(service, "build", "context") == "..", "the build context must be the repository root ('..' from deploy/)");
        Expect(problems, file, $"{where}.image", tags.TryGetValue(dockerfile, out var tag) && Text(service, "image") == tag, $"'{Text(service, "image")}' but {dockerfile} is built as {tags.GetValueOrDefault(dockerfile) ?? "(unknown)"}");
    }

    // ---- compose ----

    private static Dictionary<string, string> ComposeEnvironment(YamlNode service)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        switch (Get(service, "environment"))
        {
            case YamlMappingNode mapping:
                foreach (var (key, value) in Entries(mapping))
                {
                    result[key] = Scalar(value);
                }

                break;
            case YamlSequenceNode list:
                foreach (var item in list.Children.Select(Scalar))
                {
                    var equals = item.IndexOf('=', StringComparison.Ordinal);
                    result[equals < 0 ? item : item[..equals]] = equals < 0 ? "" : item[(equals + 1)..];
                }

                break;
            default:
                break;
        }

        return result;
    }

    /// <summary>Published ports, short ("[IP:]HOST:CONTAINER[/tcp]") or long (target, published, host_ip) syntax.</summary>
    private static IEnumerable<(string HostIp, string Host, int Container)> ComposePorts(YamlNode service)
    {
        foreach (var port in Sequence(service, "ports"))
        {
            if (port is YamlMappingNode)
            {
                yield return (Text(port, "host_ip") ?? "0.0.0.0", Text(port, "published") ?? "", ParsePort(Text(port, "target")));
                continue;
            }

            var text = Scalar(port).Split('/')[0];
            var colon = text.LastIndexOf(':');
            var container = ParsePort(text[(colon + 1)..]);
            var rest = colon < 0 ? "" : text[..colon];
            var hostColon = rest.LastIndexOf(':');
            yield return (hostColon < 0 ? "0.0.0.0" : rest[..hostColon], hostColon < 0 ? rest : rest[(hostColon + 1)..], container);
        }
    }

    // ---- YAML ----

    private static List<YamlNode> LoadYaml(string file)
    {
        var stream = new YamlStream();
        using (var reader = new StringReader(File.ReadAllText(Path.Combine(Root, file))))
        {
            stream.Load(reader);
        }

        return [.. stream.Documents.Select(d => d.RootNode).Where(n => n is YamlMappingNode)];
    }

    private static YamlNode? Get(YamlNode? node, params string[] path)
    {
        foreach (var key in path)
        {
            if (node is not YamlMappingNode mapping)
            {
                return null;
            }

            node = mapping.Children.FirstOrDefault(c => c.Key is YamlScalarNode s && s.Value == key).Value;
        }

        return node;
    }

    private static YamlMappingNode? Mapping(YamlNode? node, params string[] path) => Get(node, path) as YamlMappingNode;

    private static string? Text(YamlNode? node, params string[] path) => Get(node, path) is YamlScalarNode s ? s.Value : null;

    private static string Scalar(YamlNode node) => node is YamlScalarNode s ? s.Value ?? "" : "";

    private static IEnumerable<YamlNode> Sequence(YamlNode? node, params string[] path) => Get(node, path) is YamlSequenceNode s ? s.Children : [];

    private static IEnumerable<(string Key, YamlNode Value)> Entries(YamlNode? node) =>
        node is YamlMappingNode mapping ? mapping.Children.Where(c => c.Key is YamlScalarNode).Select(c => (Scalar(c.Key), c.Value)) : [];

    private static Dictionary<string, string> Labels(YamlNode? node) => Entries(node).ToDictionary(e => e.Key, e => Scalar(e.Value), StringComparer.Ordinal);

    // ---- small helpers ----

    private static int Resolve(string port, Dictionary<string, int> named) =>
        int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : named.GetValueOrDefault(port, -1);

    private static int ParsePort(string? text) =>
        int.TryParse(text?.Trim().Trim('"'), NumberStyles.None, CultureInfo.InvariantCulture, out var port) ? port : -1;

    private static (string Host, int Port) SplitHostPort(string endpoint)
    {
        var first = endpoint.Split(',')[0];
        var colon = first.LastIndexOf(':');
        return colon < 0 ? (first, 6379) : (first[..colon], ParsePort(first[(colon + 1)..]));
    }

    private static bool PortMentioned(string text, int port) => Regex.IsMatch(text, $@"(?<![0-9]){port}(?![0-9])");

    private static bool IsRoot(string user) => user.Split(':')[0] is "root" or "0";

    private static string Join(IEnumerable<int> ports) => string.Join(", ", ports.Order());

    private static string Describe(Dictionary<string, int> ports) => string.Join(", ", ports.Select(p => $"{p.Key} {p.Value}"));

    private static void Expect(Problems problems, string file, string field, bool condition, string problem)
    {
        if (!condition)
        {
            problems.Add(file, field, problem);
        }
    }

    private static string Relative(string path) => Path.GetRelativePath(Root, path).Replace('\\', '/');

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Transport.Distributed.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no Transport.Distributed.sln above {AppContext.BaseDirectory}");
    }

    [GeneratedRegex(@"Transport__[A-Za-z0-9_]+")]
    private static partial Regex TransportVariable();

    [GeneratedRegex(@"docker build\b[^\n]*")]
    private static partial Regex DockerBuildRegex();

    [GeneratedRegex(@"(?:^|\s)-f\s+(\S+)")]
    private static partial Regex DockerfileOption();

    [GeneratedRegex(@"(?:^|\s)-t\s+(\S+)")]
    private static partial Regex TagOption();

    [GeneratedRegex(@"<AssemblyName>\s*([^<\s]+)\s*</AssemblyName>")]
    private static partial Regex AssemblyNameRegex();

    private sealed class Problems
    {
        private readonly List<string> lines = [];

        public void Add(string file, string field, string problem) => lines.Add($"{file}: {field}: {problem}");

        public void AssertNone() => Assert.True(lines.Count == 0, $"{lines.Count} problem(s) in deploy/:\n{string.Join('\n', lines)}");
    }

    /// <summary>A Dockerfile read line by line: continuations joined, comments dropped, instructions grouped by stage.</summary>
    private sealed class Dockerfile
    {
        public required string Path { get; init; }

        public required List<Stage> Stages { get; init; }

        public Stage Final => Stages[^1];

        public static Dockerfile Read(string file)
        {
            var stages = new List<Stage>();
            var pending = "";
            foreach (var raw in File.ReadAllLines(System.IO.Path.Combine(Root, file)))
            {
                var line = raw.Trim();
                if (line.StartsWith('#') || (line.Length == 0 && pending.Length == 0))
                {
                    continue;
                }

                if (line.EndsWith('\\'))
                {
                    pending += line[..^1] + " ";
                    continue;
                }

                line = (pending + line).Trim();
                pending = "";
                if (line.Length == 0)
                {
                    continue;
                }

                var space = line.IndexOfAny([' ', '\t']);
                var instruction = (space < 0 ? line : line[..space]).ToUpperInvariant();
                var argument = space < 0 ? "" : line[(space + 1)..].Trim();
                if (instruction == "FROM")
                {
                    var words = argument.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(w => !w.StartsWith("--", StringComparison.Ordinal)).ToArray();
                    stages.Add(new Stage(words[0]));
                    continue;
                }

                Assert.True(stages.Count > 0, $"{file}: {instruction} before FROM");
                stages[^1].Instructions.Add((instruction, argument));
            }

            Assert.True(stages.Count > 0, $"{file}: no FROM");
            return new Dockerfile { Path = file, Stages = stages };
        }
    }

    private sealed class Stage(string image)
    {
        public string Image { get; } = image;

        public List<(string Instruction, string Argument)> Instructions { get; } = [];

        public IEnumerable<string> All(string instruction) => Instructions.Where(i => i.Instruction == instruction).Select(i => i.Argument);

        public string? Last(string instruction) => All(instruction).LastOrDefault();

        /// <summary>ENV as KEY=VALUE pairs (values unquoted) or the legacy "ENV KEY VALUE".</summary>
        public Dictionary<string, string> Env
        {
            get
            {
                var env = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var argument in All("ENV"))
                {
                    var words = argument.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (!words[0].Contains('=', StringComparison.Ordinal))
                    {
                        env[words[0]] = string.Join(' ', words[1..]);
                        continue;
                    }

                    foreach (var word in words)
                    {
                        var equals = word.IndexOf('=', StringComparison.Ordinal);
                        env[word[..equals]] = word[(equals + 1)..].Trim('"');
                    }
                }

                return env;
            }
        }
    }
}
