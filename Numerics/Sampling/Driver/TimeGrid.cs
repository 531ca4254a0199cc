namespace Transport.Numerics.Sampling;

/// <summary>The time points t_0 = start &lt; t_1 &lt; ... &lt; t_K = end of a fixed-step sampler.</summary>
public static class TimeGrid
{
    /// <summary>Builds the grid of <paramref name="options"/> for <paramref name="schedule"/> (K = options.Steps).</summary>
    public static double[] Build(SamplingOptions options, InterpolantSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(schedule);
        options.Validate();
        return options.Grid == TimeGridKind.Karras
            ? Karras(options.Steps, options.Start, options.End, schedule, options.KarrasRho, options.KarrasMaxRatio)
            : Uniform(options.Steps, options.Start, options.End);
    }

    /// <summary>t_k = start + k (end - start) / steps, with the last point exactly <paramref name="end"/>.</summary>
    public static double[] Uniform(int steps, double start, double end)
    {
        var times = new double[steps + 1];
        var h = (end - start) / steps;
        for (var k = 0; k < steps; k++)
        {
            times[k] = start + (k * h);
        }

        times[steps] = end;
        return times;
    }

    /// <summary>
    /// The EDM grid: the noise-to-signal ratio sigma(t) = a(t) / b(t) (decreasing in t) takes the values
    /// sigma_k = (sigma_hi^(1/rho) + k / K' (sigma_lo^(1/rho) - sigma_hi^(1/rho)))^rho between sigma_hi = sigma(start)
    /// and sigma_lo = sigma(end), and each t_k solves sigma(t_k) = sigma_k by bisection. When sigma(start) exceeds
    /// <paramref name="maxRatio"/> (it is infinite at t = 0, where b = 0) the first step goes from start to the time
    /// where sigma = maxRatio and the remaining K - 1 steps follow the formula.
    /// </summary>
    public static double[] Karras(int steps, double start, double end, InterpolantSchedule schedule, double rho, double maxRatio)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var low = Ratio(schedule, end);
        if (!(low > 0.0) || !double.IsFinite(low))
        {
            throw new InvalidInputException("end", $"noise-to-signal ratio a/b = {low} at the end time {end} must be positive and finite for a Karras grid");
        }

        var high = Ratio(schedule, start);
        var clipped = !(high <= maxRatio);
        if (clipped && steps == 1)
        {
            return [start, end];
        }

        if (clipped)
        {
            high = Math.Max(maxRatio, low);
        }

        var times = new double[steps + 1];
        times[0] = start;
        times[steps] = end;
        var offset = clipped ? 1 : 0;
        var intervals = steps - offset;
        var highRoot = Math.Pow(high, 1.0 / rho);
        var lowRoot = Math.Pow(low, 1.0 / rho);
        for (var k = 0; k < intervals; k++)
        {
            var sigma = Math.Pow(highRoot + ((double)k / intervals * (lowRoot - highRoot)), rho);
            times[k + offset] = k == 0 && !clipped ? start : TimeOfRatio(schedule, sigma, start, end);
        }

        for (var k = 1; k <= steps; k++)
        {
            if (!(times[k] > times[k - 1]))
            {
                throw new InvalidInputException("steps", $"the Karras grid with {steps} steps has coincident times near t = {times[k]}; use fewer steps or a uniform grid");
            }
        }

        return times;
    }

    private static double Ratio(InterpolantSchedule schedule, double t)
    {
        var b = schedule.B(t);
        return b > 0.0 ? schedule.A(t) / b : double.PositiveInfinity;
    }

    private static double TimeOfRatio(InterpolantSchedule schedule, double sigma, double start, double end)
    {
        // sigma(t) decreases from sigma(start) to sigma(end): bisection to machine precision.
        var lo = start;
        var hi = end;
        for (var i = 0; i < 200 && hi - lo > 1e-15 * Math.Max(1.0, hi); i++)
        {
            var mid = 0.5 * (lo + hi);
            if (Ratio(schedule, mid) > sigma)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        return 0.5 * (lo + hi);
    }
}
