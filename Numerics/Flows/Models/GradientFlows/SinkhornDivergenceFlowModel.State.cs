using Transport.Numerics.Transport.Multiscale;

namespace Transport.Numerics.Flows.Models;

/// <summary>
/// The model's warm-start state as one array, so that a flow resumed from a checkpoint prepares its next stage from the
/// same potentials as the uninterrupted run (a different warm start converges to a different iterate within the
/// tolerance, and the trajectories would part). Layout: [OT_eps(beta, beta), dense part, multiscale part], each part a
/// presence flag followed by length-prefixed arrays.
/// </summary>
public sealed partial class SinkhornDivergenceFlowModel : IFlowModelState
{
    /// <inheritdoc />
    public double[]? CaptureState()
    {
        if (double.IsNaN(targetSelfValue) && crossSource is null && multiscaleCross is null)
        {
            return null;
        }

        var writer = new List<double> { targetSelfValue };
        if (crossSource is not null)
        {
            writer.Add(1);
            Append(writer, crossSource);
            Append(writer, crossTarget!);
            Append(writer, selfSourceF!);
            Append(writer, selfSourceG!);
        }
        else
        {
            writer.Add(0);
        }

        AppendWarm(writer, multiscaleCross);
        AppendWarm(writer, multiscaleSelf);
        return [.. writer];
    }

    /// <inheritdoc />
    public void RestoreState(double[]? state)
    {
        ResetWarmStart();
        targetSelfValue = double.NaN;
        if (state is null)
        {
            return;
        }

        var at = 0;
        targetSelfValue = state[at++];
        if (state[at++] != 0)
        {
            crossSource = Read(state, ref at);
            crossTarget = Read(state, ref at);
            selfSourceF = Read(state, ref at);
            selfSourceG = Read(state, ref at);
        }

        multiscaleCross = ReadWarm(state, ref at);
        multiscaleSelf = ReadWarm(state, ref at);
        if (at != state.Length)
        {
            throw new InvalidDataException($"the stored state of {Name} has {state.Length} values, {at} were read");
        }
    }

    private static void Append(List<double> writer, double[] values)
    {
        writer.Add(values.Length);
        writer.AddRange(values);
    }

    private static void AppendWarm(List<double> writer, MultiscaleWarmStart? warm)
    {
        if (warm is null)
        {
            writer.Add(0);
            return;
        }

        writer.Add(1);
        // NaN stands for "no factor" (null): a factor is always a finite number above 1.
        writer.Add(warm.Relaxation ?? double.NaN);
        Append(writer, warm.F);
        Append(writer, warm.G);
    }

    private static double[] Read(double[] state, ref int at)
    {
        var length = state[at++];
        if (length < 0 || length > state.Length - at || length != Math.Floor(length))
        {
            throw new InvalidDataException($"the stored model state declares an array of {length} values at {at - 1}");
        }

        var values = state.AsSpan(at, (int)length).ToArray();
        at += (int)length;
        return values;
    }

    private static MultiscaleWarmStart? ReadWarm(double[] state, ref int at)
    {
        if (state[at++] == 0)
        {
            return null;
        }

        var relaxation = state[at++];
        var f = Read(state, ref at);
        var g = Read(state, ref at);
        return new MultiscaleWarmStart(f, g) { Relaxation = double.IsNaN(relaxation) ? null : relaxation };
    }
}
