using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Transport.Grains.Interfaces;
using Transport.Numerics;
using Transport.Numerics.Flows;

namespace Transport.Grains;

/// <summary>
/// Builds a flow model from its wire description. The coordinator and every shard of a run resolve this
/// service from the silo's DI container and call it with the same <see cref="FlowModelSpec"/>, so they all hold
/// equivalent models.
/// </summary>
public interface IFlowModelFactory
{
    /// <summary>The registered model names.</summary>
    IReadOnlyCollection<string> Names { get; }

    /// <summary>
    /// Builds the model <paramref name="spec"/> describes. Throws <see cref="JobInputException"/> for an unknown
    /// name (field <c>model</c>) or invalid parameters (the builder's field).
    /// </summary>
    IFlowModel Create(FlowModelSpec spec);
}

/// <summary>One named model builder, registered in DI by <see cref="FlowModelServiceCollectionExtensions.AddFlowModel"/>.</summary>
/// <param name="Name">The model's name (<c>model</c> in run specifications).</param>
/// <param name="Build">Builds the model from its description; may throw <see cref="InvalidInputException"/> naming a field.</param>
public sealed record FlowModelRegistration(string Name, Func<FlowModelSpec, IFlowModel> Build);

/// <summary>The default <see cref="IFlowModelFactory"/>: a table of named builders.</summary>
public sealed class FlowModelRegistry : IFlowModelFactory
{
    private readonly Dictionary<string, Func<FlowModelSpec, IFlowModel>> builders = new(StringComparer.Ordinal);

    /// <summary>Creates a registry holding <paramref name="registrations"/> (a later registration of a name replaces an earlier one).</summary>
    public FlowModelRegistry(IEnumerable<FlowModelRegistration> registrations)
    {
        ArgumentNullException.ThrowIfNull(registrations);
        foreach (var registration in registrations)
        {
            Register(registration.Name, registration.Build);
        }
    }

    /// <inheritdoc />
    public IReadOnlyCollection<string> Names => builders.Keys;

    /// <summary>Registers (or replaces) the builder of <paramref name="name"/>.</summary>
    public void Register(string name, Func<FlowModelSpec, IFlowModel> build)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(build);
        builders[name] = build;
    }

    /// <inheritdoc />
    public IFlowModel Create(FlowModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Name is null || !builders.TryGetValue(spec.Name, out var build))
        {
            var known = builders.Count == 0 ? "none registered" : string.Join(", ", builders.Keys.Order(StringComparer.Ordinal));
            throw new JobInputException("model", $"model: unknown model '{spec.Name}' (known: {known})");
        }

        if (spec.Uploaded is null || spec.Uploaded.Length > 0)
        {
            // A builder takes the spec completed with the uploaded blocks (FlowModelSpec.WithUploadedData), never the announcement.
            throw new JobInputException("model", $"model: the data blocks announced for upload ({string.Join(", ", spec.Uploaded?.Select(s => s?.Name) ?? ["null"])}) have not been added to the spec");
        }

        if (spec.ParametersJson is null || spec.Data is null || spec.DataNames is null || spec.Data.Any(block => block is null))
        {
            // Null where the wire type means "none": refused here rather than met as a null reference in a builder.
            throw new JobInputException("model", $"model: the parameters, the data blocks and their names of '{spec.Name}' must be given (empty, not null)");
        }

        for (var k = 0; k < spec.Data.Length; k++)
        {
            // A block from the wire whose payload does not match its declared shape (see FloatBlock.IsWellFormed).
            UploadChecks.CheckBlock(spec.DataNames.Length == spec.Data.Length ? spec.DataNames[k] : "model", spec.Data[k]);
        }

        if (spec.DataNames.Length != 0 && spec.DataNames.Length != spec.Data.Length)
        {
            throw new JobInputException("model", $"model: {spec.DataNames.Length} data names for {spec.Data.Length} data blocks");
        }

        if (spec.DataNames.GroupBy(name => name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } repeated)
        {
            // Looked up by name, a block named twice had its second copy ignored without a word.
            throw new JobInputException("model", $"model: the data block '{repeated.Key}' is given {repeated.Count()} times");
        }

        try
        {
            return build(spec) ?? throw new InvalidOperationException($"the builder of '{spec.Name}' returned no model");
        }
        catch (InvalidInputException ex)
        {
            throw new JobInputException(ex.Field, ex.Message);
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new JobInputException("model", $"model: the parameters of '{spec.Name}' are not valid JSON: {ex.Message}");
        }
    }
}

/// <summary>DI registration of flow models.</summary>
public static class FlowModelServiceCollectionExtensions
{
    /// <summary>Registers the default <see cref="IFlowModelFactory"/> (<see cref="FlowModelRegistry"/>) unless one is registered already.</summary>
    public static IServiceCollection AddFlowModelFactory(this IServiceCollection services)
    {
        services.TryAddSingleton<IFlowModelFactory, FlowModelRegistry>();
        return services;
    }

    /// <summary>
    /// Registers the builder of model <paramref name="name"/> (and the default factory), e.g.
    /// <c>services.AddFlowModel("mmd-flow", spec =&gt; MmdFlowModel.FromSpec(spec))</c>.
    /// </summary>
    public static IServiceCollection AddFlowModel(this IServiceCollection services, string name, Func<FlowModelSpec, IFlowModel> build)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(build);
        services.AddSingleton(new FlowModelRegistration(name, build));
        return services.AddFlowModelFactory();
    }
}
