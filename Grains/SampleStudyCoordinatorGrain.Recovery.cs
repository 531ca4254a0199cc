using Transport.Grains.Interfaces;

namespace Transport.Grains;

/// <summary>
/// Durability of a sampling study: its inputs (data set, normalised weights, uploaded noise) are sealed in grain storage
/// before it runs and its final samples once it completes. The runs themselves are sampling jobs that checkpoint and
/// recover on their own; a study whose coordinator is lost with its silo is resumed by the next activation (its
/// reminder or a client's poll), which reads its inputs back and runs the study again from its first run: every run is
/// deterministic, so the study ends with the numbers of the uninterrupted one.
/// </summary>
public sealed partial class SampleStudyCoordinatorGrain
{
    private const string DataRecord = "study/data";
    private const string WeightsRecord = "study/weights";
    private const string NoiseRecord = "study/noise";
    private const string SamplesRecord = "study/samples";

    // Whether this activation's arrays are the job's (false in an activation that read the job's record back).
    private bool inputsHere = true;

    /// <inheritdoc />
    protected override bool IsDurable(SampleStudySpec spec) => true;

    /// <inheritdoc />
    protected override void RestoreRunState(SampleStudySpec spec, byte[]? state) => inputsHere = false;

    /// <summary>Writes the inputs to storage when checkpoints are on.</summary>
    private async Task SealInputsAsync()
    {
        inputsHere = true;
        if (!Checkpointing.Enabled)
        {
            return;
        }

        await DurableStore.WriteAsync(DataRecord, dataPoints);
        await DurableStore.WriteAsync(WeightsRecord, dataWeights);
        await DurableStore.WriteAsync(NoiseRecord, noise);
    }

    /// <summary>Reads the inputs back in an activation that replaced the one they were uploaded to.</summary>
    private async Task ReloadInputsAsync()
    {
        if (inputsHere)
        {
            return;
        }

        var job = Spec;
        dataPoints = await Read(DataRecord);
        dataWeights = await Read(WeightsRecord);
        noise = await Read(NoiseRecord);
        var data = job.Target == Numerics.Sampling.SampleTarget.Data ? job.DataCount : 0;
        if (dataWeights.Length != data || dataPoints.Length != (long)data * job.Dimension || noise.Length != (job.UploadedNoise ? (long)job.Count * job.Dimension : 0))
        {
            throw new InvalidOperationException($"the stored inputs of study '{this.GetPrimaryKeyString()}' do not fit its spec");
        }

        inputsHere = true;

        async Task<double[]> Read(string name) =>
            await DurableStore.ReadAsync(name) ?? throw new InvalidOperationException($"study '{this.GetPrimaryKeyString()}' lost its coordinator and its stored {name} is missing");
    }

    /// <summary>Writes the final samples when checkpoints are on.</summary>
    private Task SaveSamplesAsync() => Checkpointing.Enabled ? DurableStore.WriteAsync(SamplesRecord, samples) : Task.CompletedTask;

    /// <summary>Reads the final samples back in an activation that replaced the one that ran the study.</summary>
    private async Task ReloadSamplesAsync()
    {
        if (samples.Length == 0 && Checkpointing.Enabled && State == JobState.Completed)
        {
            samples = await DurableStore.ReadAsync(SamplesRecord) ?? throw new InvalidOperationException($"the stored samples of study '{this.GetPrimaryKeyString()}' are missing");
        }
    }

    /// <summary>Deletes what the study stored.</summary>
    private async Task ClearStoredAsync()
    {
        if (!Checkpointing.Enabled)
        {
            return;
        }

        foreach (var name in new[] { DataRecord, WeightsRecord, NoiseRecord, SamplesRecord })
        {
            await DurableStore.ClearAsync(name);
        }
    }
}
