using Transport.Grains.Interfaces;

namespace Transport.Grains.Tests.Hostile;

/// <summary>
/// The table of malformed grain calls (issue 12, "Must show: hostile input"), one file per kind of job: every case names
/// what is wrong and the refusal it must meet (<see cref="HostileGrainCall"/>).
/// </summary>
internal static partial class HostileGrainCalls
{
    /// <summary>Every case, in a fixed order.</summary>
    public static IReadOnlyList<HostileGrainCall> All { get; } = [.. SinkhornSpecs, .. SinkhornUploads, .. Lifecycle, .. Downloads, .. Flows, .. Sampling, .. Studies];

    /// <summary>The case named <paramref name="name"/>.</summary>
    public static HostileGrainCall Named(string name) => All.Single(c => c.Name == name);

    private static HostileGrainCall Input(string name, string field, Func<HostileGrainContext, Task> call) => new(name, typeof(JobInputException), field, call);

    private static HostileGrainCall State(string name, string mention, Func<HostileGrainContext, Task> call) => new(name, typeof(InvalidOperationException), mention, call);

    private static HostileGrainCall OutOfRange(string name, string parameter, Func<HostileGrainContext, Task> call) => new(name, typeof(ArgumentOutOfRangeException), parameter, call);

    private static HostileGrainCall Argument(string name, Type exception, string parameter, Func<HostileGrainContext, Task> call) => new(name, exception, parameter, call);
}
