namespace Transport.Numerics.Transport;

/// <summary>
/// The eps-annealing list (math.md 3.4, after GeomLoss's epsilon_schedule): start at the largest cost,
/// decrease geometrically by the scaling factor, end exactly at the target.
/// </summary>
public static class EpsilonSchedule
{
    /// <summary>Longest annealing list (a scaling very close to 1 is cut here; the solve continues at the target).</summary>
    public const int MaxStages = 10_000;

    /// <summary>
    /// Returns [c_max, c_max r, c_max r^2, ..., target], keeping only values above the target, with
    /// c_max = s D^2 the largest cost over the joint bounding box. With r = 1, or when the target is at
    /// least c_max, the list is just [target].
    /// </summary>
    public static double[] Create(double maxCost, double target, double scaling)
    {
        if (!double.IsFinite(maxCost))
        {
            throw new InvalidInputException("points", $"the squared diameter of the clouds is {maxCost} (coordinates too far apart for float64 costs)");
        }

        if (scaling >= 1 || !(maxCost > target))
        {
            return [target];
        }

        var list = new List<double>();
        for (var eps = maxCost; eps > target && list.Count < MaxStages; eps *= scaling)
        {
            list.Add(eps);
        }

        list.Add(target);
        return [.. list];
    }
}
