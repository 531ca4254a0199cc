using System.Runtime.Intrinsics;
using Transport.Numerics.Kernels;

namespace Transport.Numerics.Tests.Kernels;

/// <summary>The base-2 lane exponential of the float32 low-dimension pass against Math.Pow in float64.</summary>
public sealed class LaneExponentialTests
{
    // The degree-5 fit is 7.5e-8 relative on [-1/2, 1/2]; coefficients rounded to float32 and six float32
    // roundings in the evaluation add a few 6e-8: 3e-7 bounds them with margin and still fails a wrong
    // coefficient or a degree too low (the degree-4 fit is 2e-6).
    private const double Tolerance = 3e-7;

    [Fact]
    public void Exp2_is_within_3e7_relative_over_the_normal_range_and_zero_below()
    {
        var c = LaneExponential.Base2Constants<Lanes256<float>, Vector256<float>, float>();
        var worst = 0.0;
        var lanes = new float[Vector256<float>.Count];
        for (var i = 0; i <= 400_000; i += lanes.Length)
        {
            for (var k = 0; k < lanes.Length; k++)
            {
                // x from -126 to 100 in steps of 226 / 400,000: every fraction of the reduction interval.
                lanes[k] = (float)(-126.0 + (226.0 * (i + k) / 400_000));
            }

            var result = LaneExponential.Exp2<Lanes256<float>, Vector256<float>, float>(Vector256.Create(lanes), c);
            for (var k = 0; k < lanes.Length; k++)
            {
                var expected = Math.Pow(2.0, lanes[k]);
                worst = Math.Max(worst, Math.Abs(result.GetElement(k) - expected) / expected);
            }
        }

        Assert.True(worst <= Tolerance, $"worst relative error {worst:E3}");

        var below = LaneExponential.Exp2<Lanes256<float>, Vector256<float>, float>(Vector256.Create(float.NegativeInfinity, -127f, -200f, -1e30f, -126.9f, -500f, float.NegativeInfinity, -128f), c);
        for (var k = 0; k < Vector256<float>.Count; k++)
        {
            Assert.Equal(0f, below.GetElement(k));
        }
    }
}
