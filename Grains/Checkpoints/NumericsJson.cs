using System.Text.Json;
using System.Text.Json.Serialization;

namespace Transport.Grains;

/// <summary>
/// JSON for the engine's own records kept in storage (a loop's checkpoint state, a finished solve's scalars): they are
/// plain records of the Numerics library, which knows nothing of Orleans' serializer. Infinities are legal values there
/// (a best error not seen yet), so they are written as named literals.
/// </summary>
internal static class NumericsJson
{
    private static readonly JsonSerializerOptions Options = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>The UTF-8 JSON of <paramref name="value"/>.</summary>
    public static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);

    /// <summary>The value of <paramref name="json"/>.</summary>
    public static T Deserialize<T>(byte[] json) =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new InvalidDataException($"stored {typeof(T).Name} is empty");
}
