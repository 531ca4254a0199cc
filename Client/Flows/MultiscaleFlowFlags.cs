using System.Globalization;
using System.Text.Json;
using Transport.Numerics;

namespace Transport.Client.Flows;

/// <summary>
/// <c>transport flow --multiscale [--levels L] [--truncate TAU]</c>: the same switches as <c>transport sinkhorn</c>,
/// written into the run specification (<c>"multiscale"</c>, <c>"levels"</c>, <c>"truncate"</c>) before it is
/// parsed, because the silos rebuild the flow model from the specification text. The model's own validation then
/// checks the values, so a flag and a spec key give the same errors.
/// </summary>
internal sealed record MultiscaleFlowFlags(bool Multiscale, int? Levels, double? Truncate)
{
    /// <summary>Returns <paramref name="json"/> with the flags applied (unchanged without flags).</summary>
    public string Apply(string json)
    {
        if (!Multiscale)
        {
            if (Levels is not null)
            {
                throw new InvalidInputException("levels", "--levels applies only to a multiscale run; add --multiscale");
            }

            if (Truncate is not null)
            {
                throw new InvalidInputException("truncate", "--truncate applies only to a multiscale run; add --multiscale");
            }

            return json;
        }

        var spec = SpecText.Parse(json);

        var model = spec["model"]?.GetValueKind() == JsonValueKind.String ? spec["model"]!.GetValue<string>() : null;
        if (model != "sinkhorn-flow")
        {
            throw new InvalidInputException("multiscale", $"--multiscale applies only to the sinkhorn-flow model, got '{model ?? "(none)"}'");
        }

        spec["multiscale"] = true;
        if (Levels is { } levels)
        {
            spec["levels"] = levels;
        }

        if (Truncate is { } truncate)
        {
            if (!double.IsFinite(truncate))
            {
                throw new InvalidInputException("truncate", $"must be a finite number > 0, got {truncate.ToString(CultureInfo.InvariantCulture)}");
            }

            spec["truncate"] = truncate;
        }

        return spec.ToJsonString();
    }
}
