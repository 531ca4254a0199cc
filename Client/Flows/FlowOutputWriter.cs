using Transport.Grains.Interfaces;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Transport.Numerics.Flows;
using Transport.Numerics.IO;

namespace Transport.Client.Flows;

/// <summary>What a flow run reports besides its trajectory.</summary>
/// <param name="Model">Model name (run specification's <c>model</c>).</param>
/// <param name="Integrator">Integrator name.</param>
/// <param name="Shards">Shards used.</param>
/// <param name="Seconds">Wall-clock seconds of the run.</param>
/// <param name="EnergyName">What the energy column means (energy, divergence, risk).</param>
/// <param name="Target">Target positions (row-major) when the model has a target cloud, else null.</param>
/// <param name="Checkpoints">Checkpoints the cluster committed during the run.</param>
/// <param name="Recoveries">Times the run recovered from the loss of a silo.</param>
/// <param name="Traffic">The shards' traffic (<see cref="TrafficJson"/>; null: none counted).</param>
internal sealed record FlowRunFacts(string Model, string Integrator, int Shards, double Seconds, string EnergyName, double[]? Target, int Checkpoints = 0, int Recoveries = 0, JobTraffic? Traffic = null)
{
    /// <summary>The angular threshold (radians) of the token cluster count (<c>cluster_angle</c>).</summary>
    public double ClusterAngle { get; init; } = FlowJobSpec.DefaultClusterAngle;

    /// <summary>What the run measured of its density (<c>eulerian</c>); null: nothing.</summary>
    public Numerics.Flows.Eulerian.EulerianOptions? Eulerian { get; init; }
}

/// <summary>
/// Writes a flow run's outputs into a staging directory: <c>trajectory.npy</c> (snapshots x particles x dim),
/// <c>final.npy</c> (input order), <c>diagnostics.csv</c> (one row per step), <c>summary.json</c>,
/// <c>particles.png</c> and <c>energy.png</c>.
/// </summary>
internal static class FlowOutputWriter
{
    /// <summary>The columns of <c>diagnostics.csv</c>; the first three are the contract.</summary>
    public static readonly string[] DiagnosticsColumns = ["step", "time", "energy", "step_size", "kinetic_energy", "rejected", "error_norm"];

    /// <summary>Writes every output file into <paramref name="directory"/>.</summary>
    public static void Write(string directory, FlowTrajectory trajectory, FlowRunFacts facts)
    {
        ArgumentNullException.ThrowIfNull(trajectory);
        ArgumentNullException.ThrowIfNull(facts);
        var n = trajectory.Count;
        var d = trajectory.Dimension;
        NpyArray.WriteFloat64(Path.Combine(directory, "trajectory.npy"), trajectory.SnapshotArray(), trajectory.Snapshots.Count, n, d);
        NpyArray.WriteFloat64(Path.Combine(directory, "final.npy"), trajectory.FinalPositions, n, d);
        var clusters = TokenClusterSeries.Applies(facts.Model) ? TokenClusterSeries.Compute(trajectory, facts.ClusterAngle) : null;
        var eulerian = facts.Eulerian is { } options ? EulerianOutputs.Write(directory, trajectory, options) : null;
        File.WriteAllText(Path.Combine(directory, "diagnostics.csv"), Diagnostics(trajectory, clusters, eulerian), new UTF8Encoding(false));
        WriteSummary(Path.Combine(directory, "summary.json"), trajectory, facts, clusters, eulerian);
        FlowPlots.WriteParticles(directory, trajectory, facts.Target, ParticlesTitle(trajectory, facts), facts.Model == "mean-field-network" ? "teacher neurons" : "target");
        FlowPlots.WriteEnergy(directory, trajectory, facts.EnergyName);
        if (clusters is not null)
        {
            FlowPlots.WriteClusters(directory, clusters, facts.ClusterAngle);
        }
    }

    /// <summary>The columns token models (attention, Sinkformer) add to <c>diagnostics.csv</c>.</summary>
    public static readonly string[] TokenColumns = ["clusters", "min_inner_product"];

    /// <summary>
    /// The CSV text of the diagnostics (invariant culture, round-trip numbers, NaN for missing); with
    /// <paramref name="clusters"/>, the <see cref="TokenColumns"/> of the rows that have a snapshot (NaN elsewhere).
    /// </summary>
    public static string Diagnostics(FlowTrajectory trajectory, TokenClusterSeries? clusters = null, EulerianSummary? eulerian = null)
    {
        ArgumentNullException.ThrowIfNull(trajectory);
        var text = new StringBuilder();
        string[] columns = [.. DiagnosticsColumns, .. clusters is null ? [] : TokenColumns, .. eulerian is null ? [] : new[] { "continuity_residual" }];
        text.AppendLine(string.Join(",", columns));
        for (var r = 0; r < trajectory.Diagnostics.Count; r++)
        {
            var row = trajectory.Diagnostics[r];
            text.Append(row.Step.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(Format(row.Time)).Append(',')
                .Append(Format(row.Energy)).Append(',')
                .Append(Format(row.StepSize)).Append(',')
                .Append(Format(row.KineticEnergy)).Append(',')
                .Append(row.RejectedAttempts.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(Format(row.ErrorNorm));
            if (clusters is not null)
            {
                var point = clusters.At(row.Step);
                text.Append(',').Append(point?.Clusters is { } count ? count.ToString(CultureInfo.InvariantCulture) : "NaN")
                    .Append(',').Append(Format(point?.MinInnerProduct ?? double.NaN));
            }

            if (eulerian is not null)
            {
                text.Append(',').Append(Format(eulerian.RowResiduals[r]));
            }

            text.AppendLine();
        }

        return text.ToString();
    }

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>
    /// The particles plot's title. An MMD flow that keeps more than 5% of its initial MMD^2 says why it stalls: the
    /// Gaussian kernel's gradient decays like exp(-r^2 / 2 l^2), so particles several length scales from the target
    /// barely move, and the MMD^2 has no other force to pull them (unlike a Sinkhorn divergence, whose gradient does
    /// not vanish with distance).
    /// </summary>
    private static string ParticlesTitle(FlowTrajectory trajectory, FlowRunFacts facts)
    {
        var rows = trajectory.Diagnostics;
        if (facts.Model == "mmd-flow" && rows.Count > 1 && rows[0].Energy > 0 && rows[^1].Energy > 0.05 * rows[0].Energy)
        {
            return string.Create(CultureInfo.InvariantCulture, $"mmd-flow stalls at {100 * rows[^1].Energy / rows[0].Energy:0}% of its initial MMD^2: far from the target the kernel's gradient vanishes");
        }

        return $"{facts.Model}: particles at several times";
    }

    private static void WriteSummary(string path, FlowTrajectory trajectory, FlowRunFacts facts, TokenClusterSeries? clusters, EulerianSummary? eulerian)
    {
        using var stream = File.Create(path);
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        var rows = trajectory.Diagnostics;
        writer.WriteStartObject();
        writer.WriteString("model", facts.Model);
        writer.WriteString("integrator", facts.Integrator);
        writer.WriteNumber("n", trajectory.Count);
        writer.WriteNumber("dim", trajectory.Dimension);
        writer.WriteNumber("shards", facts.Shards);
        writer.WriteNumber("steps", trajectory.Steps);
        writer.WriteNumber("rejected_steps", trajectory.RejectedSteps);
        writer.WriteNumber("t_end", trajectory.FinalTime);
        writer.WriteNumber("snapshots", trajectory.Snapshots.Count);
        writer.WriteString("energy_name", facts.EnergyName);
        WriteNumber(writer, "initial_energy", rows[0].Energy);
        WriteNumber(writer, "final_energy", rows[^1].Energy);
        WriteNumber(writer, "final_kinetic_energy", rows[^1].KineticEnergy);
        WriteNumber(writer, "action", trajectory.Action());
        writer.WriteNumber("seconds", facts.Seconds);
        writer.WriteNumber("checkpoints", facts.Checkpoints);
        writer.WriteNumber("recoveries", facts.Recoveries);
        if (clusters is not null)
        {
            // The last snapshot is always measured: it is the final state.
            var last = clusters.Points[^1];
            writer.WriteNumber("cluster_angle", facts.ClusterAngle);
            if (last.Clusters is { } count)
            {
                writer.WriteNumber("clusters", count);
            }
            else
            {
                writer.WriteNull("clusters");
            }

            WriteNumber(writer, "min_inner_product", last.MinInnerProduct);
        }

        if (eulerian is not null && facts.Eulerian is { } options)
        {
            writer.WriteStartObject("eulerian");
            writer.WriteNumber("grid", options.Grid);
            writer.WriteStartArray("axes");
            foreach (var axis in options.Axes)
            {
                writer.WriteNumberValue(axis);
            }

            writer.WriteEndArray();
            References.ReferenceOutputs.Vector(writer, "lower", options.Lower);
            References.ReferenceOutputs.Vector(writer, "upper", options.Upper);
            writer.WriteNumber("bandwidth", options.EffectiveBandwidth);
            writer.WriteNumber("modes", options.Modes);
            WriteNumber(writer, "continuity_residual", eulerian.Relative);
            WriteNumber(writer, "final_mass_in_grid", eulerian.FinalMassInGrid);
            writer.WriteEndObject();
        }

        TrafficJson.Write(writer, facts.Traffic ?? JobTraffic.None);
        writer.WriteEndObject();
    }

    private static void WriteNumber(Utf8JsonWriter writer, string name, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumber(name, value);
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
