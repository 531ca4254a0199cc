using System.Runtime.Intrinsics;

namespace Transport.Numerics.Kernels;

/// <summary>
/// Vector width of the reduction kernel. <see cref="Automatic"/> picks the widest width the hardware
/// accelerates; the others force a path so that every path can be tested (and timed) on one machine.
/// </summary>
internal enum KernelPath
{
    /// <summary>Vector512 when accelerated (AVX-512), else Vector256 (AVX2), else Vector128.</summary>
    Automatic,

    /// <summary>16 float32 / 8 float64 lanes.</summary>
    Vector512,

    /// <summary>8 float32 / 4 float64 lanes.</summary>
    Vector256,

    /// <summary>4 float32 / 2 float64 lanes: the fallback (software-emulated where not accelerated).</summary>
    Vector128,
}

/// <summary>Resolution of <see cref="KernelPath.Automatic"/> on this machine.</summary>
internal static class KernelPaths
{
    /// <summary>The path the hardware runs fastest.</summary>
    public static KernelPath Best { get; } =
        Vector512.IsHardwareAccelerated ? KernelPath.Vector512
        : Vector256.IsHardwareAccelerated ? KernelPath.Vector256
        : KernelPath.Vector128;

    /// <summary><paramref name="path"/> itself, or <see cref="Best"/> for <see cref="KernelPath.Automatic"/>.</summary>
    public static KernelPath Resolve(KernelPath path) => path == KernelPath.Automatic ? Best : path;
}
