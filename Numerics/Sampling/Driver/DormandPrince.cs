namespace Transport.Numerics.Sampling;

/// <summary>The Butcher tableau of the Dormand-Prince 5(4) pair (FSAL: the seventh stage is the next first stage).</summary>
internal static class DormandPrince
{
    /// <summary>Stage times as fractions of the step.</summary>
    public static readonly double[] C = [0.0, 1.0 / 5.0, 3.0 / 10.0, 4.0 / 5.0, 8.0 / 9.0, 1.0, 1.0];

    /// <summary>Stage coefficients; row 6 is the fifth-order solution.</summary>
    public static readonly double[][] A =
    [
        [],
        [1.0 / 5.0],
        [3.0 / 40.0, 9.0 / 40.0],
        [44.0 / 45.0, -56.0 / 15.0, 32.0 / 9.0],
        [19372.0 / 6561.0, -25360.0 / 2187.0, 64448.0 / 6561.0, -212.0 / 729.0],
        [9017.0 / 3168.0, -355.0 / 33.0, 46732.0 / 5247.0, 49.0 / 176.0, -5103.0 / 18656.0],
        [35.0 / 384.0, 0.0, 500.0 / 1113.0, 125.0 / 192.0, -2187.0 / 6784.0, 11.0 / 84.0],
    ];

    /// <summary>Fifth-order weights (the last stage has weight 0), used for the kinetic-energy quadrature.</summary>
    public static readonly double[] B = [35.0 / 384.0, 0.0, 500.0 / 1113.0, 125.0 / 192.0, -2187.0 / 6784.0, 11.0 / 84.0, 0.0];

    /// <summary>Fifth-order weights minus the embedded fourth-order weights.</summary>
    public static readonly double[] E =
    [
        71.0 / 57600.0, 0.0, -71.0 / 16695.0, 71.0 / 1920.0, -17253.0 / 339200.0, 22.0 / 525.0, -1.0 / 40.0,
    ];
}
