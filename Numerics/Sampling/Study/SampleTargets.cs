
namespace Transport.Numerics.Sampling.Study;

/// <summary>Builds the Numerics denoising target and schedule that a <see cref="SampleRequest"/> names.</summary>
public static class SampleTargets
{
    /// <summary>The schedule names users type.</summary>
    public static readonly string[] ScheduleNames = ["linear", "trig", "vp"];

    /// <summary>
    /// The denoiser of <paramref name="target"/>. The Numerics constructors validate (symmetry, positive
    /// definiteness, shapes, weights); their field names are prefixed with <c>target.</c>.
    /// </summary>
    public static IDenoisingTarget Build(SampleTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        try
        {
            return target.Build();
        }
        catch (InvalidInputException ex) when (!ex.Field.StartsWith("target", StringComparison.Ordinal))
        {
            throw Prefixed("target", ex);
        }
    }

    /// <summary>The schedule named <paramref name="name"/>.</summary>
    public static InterpolantSchedule Schedule(string name) => name switch
    {
        "linear" => new LinearSchedule(),
        "trig" => new TrigonometricSchedule(),
        "vp" => new VpSdeSchedule(),
        _ => throw new InvalidInputException("schedule", $"unknown schedule '{name}' (expected {string.Join(", ", ScheduleNames)})"),
    };

    /// <summary>Re-raises <paramref name="ex"/> with its field under <paramref name="prefix"/> (<c>covariance</c> becomes <c>target.covariance</c>).</summary>
    public static InvalidInputException Prefixed(string prefix, InvalidInputException ex)
    {
        ArgumentNullException.ThrowIfNull(ex);
        var head = ex.Field + ": ";
        var message = ex.Message.StartsWith(head, StringComparison.Ordinal) ? ex.Message[head.Length..] : ex.Message;
        return new InvalidInputException($"{prefix}.{ex.Field}", message);
    }
}
