using Transport.Numerics.Geometry;

namespace Transport.Numerics.Transport;

/// <summary>Two weighted clouds of the same dimension: the data of an entropic transport problem.</summary>
public sealed record SinkhornProblem
{
    /// <summary>Creates the problem; throws <see cref="InvalidInputException"/> when the dimensions differ.</summary>
    public SinkhornProblem(PointCloud source, PointCloud target)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        if (source.Dimension != target.Dimension)
        {
            throw new InvalidInputException("target", $"dimension {target.Dimension} differs from the source dimension {source.Dimension}");
        }

        Source = source;
        Target = target;
    }

    /// <summary>Source cloud (weights a).</summary>
    public PointCloud Source { get; }

    /// <summary>Target cloud (weights b).</summary>
    public PointCloud Target { get; }

    /// <summary>The largest cost over the joint bounding box: s D^2 (annealing start).</summary>
    public static double MaxCost(BoundingBox box, CostFunction cost)
    {
        ArgumentNullException.ThrowIfNull(box);
        var diameter = box.Diameter;
        return cost.Scale() * diameter * diameter;
    }
}
