using Transport.Numerics.IO;

namespace Transport.Numerics.Flows.Models;

/// <summary>The attention models' part of the catalog.</summary>
public static partial class FlowModelCatalog
{
    private static partial IFlowModel? BuildAttention(string model, int dimension, JsonSpecReader spec) => null;
}
