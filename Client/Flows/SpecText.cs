using System.Text.Json;
using System.Text.Json.Nodes;
using Transport.Numerics;

namespace Transport.Client.Flows;

/// <summary>Edits of a run specification's text by command-line switches (before the specification is parsed).</summary>
internal static class SpecText
{
    /// <summary>The specification as a JSON object; errors name <c>spec</c>.</summary>
    public static JsonObject Parse(string json)
    {
        try
        {
            return JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip }) as JsonObject
                ?? throw new InvalidInputException("spec", "must be a JSON object");
        }
        catch (JsonException ex)
        {
            throw new InvalidInputException("spec", $"not valid JSON: {ex.Message}");
        }
    }
}
