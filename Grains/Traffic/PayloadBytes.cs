using System.Collections.Concurrent;
using System.Reflection;
using Transport.Grains.Interfaces;

namespace Transport.Grains;

/// <summary>
/// The payload of a call's argument or result: 8 bytes per float64 of a <see cref="FloatBlock"/> or array, the element
/// size for other primitive arrays, 2 bytes per character, 8 per scalar, and the sum over the public properties of a
/// wire record (a few levels deep, the getters cached per type). An estimate of what the serializer writes, without
/// serializing: cheap enough to run on every call.
/// </summary>
internal static class PayloadBytes
{
    private const int MaxDepth = 4;
    private static readonly ConcurrentDictionary<Type, PropertyInfo[]> Properties = new();

    /// <summary>The payload bytes of <paramref name="value"/>.</summary>
    public static long Of(object? value) => Of(value, 0);

    private static long Of(object? value, int depth)
    {
        switch (value)
        {
            case null:
                return 0;
            case FloatBlock block:
                return ((long)block.Values.Length * sizeof(double)) + 8;
            case string text:
                return 2L * text.Length;
            case Array array when array.GetType().GetElementType() is { IsPrimitive: true } element:
                return (long)array.Length * System.Runtime.InteropServices.Marshal.SizeOf(element);
            case Array array:
                return depth >= MaxDepth ? 8L * array.Length : array.Cast<object?>().Sum(item => Of(item, depth + 1));
            case Task:
                return 0;
        }

        var type = value.GetType();
        if (type.IsPrimitive || type.IsEnum || value is decimal or DateTime or TimeSpan or Guid)
        {
            return 8;
        }

        if (depth >= MaxDepth)
        {
            return 8;
        }

        var total = 0L;
        foreach (var property in Properties.GetOrAdd(type, Readable))
        {
            total += Of(property.GetValue(value), depth + 1);
        }

        return total;
    }

    private static PropertyInfo[] Readable(Type type) =>
        [.. type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract")];
}
