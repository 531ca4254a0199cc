using System.Globalization;
using System.Text;

namespace Transport.Numerics.IO;

/// <summary>
/// The header dictionary of a <c>.npy</c> file, as specified by NumPy's <c>numpy.lib.format</c>:
/// a Python literal such as <c>{'descr': '&lt;f8', 'fortran_order': False, 'shape': (3, 2), }</c>.
/// Parsed by a small recursive-descent reader that accepts exactly the literal forms NumPy writes
/// (quoted strings, <c>True</c>/<c>False</c>, tuples of non-negative integers) and nothing else.
/// </summary>
internal sealed record NpyHeader(string Descriptor, bool FortranOrder, long[] Shape)
{
    /// <summary>Formats the header text (without padding) the way NumPy does.</summary>
    public static string Format(string descriptor, ReadOnlySpan<int> shape)
    {
        var builder = new StringBuilder();
        builder.Append("{'descr': '").Append(descriptor).Append("', 'fortran_order': False, 'shape': (");
        for (var k = 0; k < shape.Length; k++)
        {
            if (k > 0)
            {
                builder.Append(", ");
            }

            builder.Append(shape[k].ToString(CultureInfo.InvariantCulture));
        }

        // Python writes a one-element tuple as "(n,)".
        if (shape.Length == 1)
        {
            builder.Append(',');
        }

        builder.Append("), }");
        return builder.ToString();
    }

    /// <summary>Parses the header text; every problem is an <see cref="InvalidInputException"/> for <paramref name="field"/>.</summary>
    public static NpyHeader Parse(string text, string field)
    {
        var reader = new Reader(text, field);
        string? descriptor = null;
        bool? fortranOrder = null;
        long[]? shape = null;

        reader.SkipWhitespace();
        reader.Expect('{');
        while (true)
        {
            reader.SkipWhitespace();
            if (reader.TryConsume('}'))
            {
                break;
            }

            var key = reader.ReadString();
            reader.SkipWhitespace();
            reader.Expect(':');
            reader.SkipWhitespace();
            switch (key)
            {
                case "descr":
                    if (reader.Peek() is not ('\'' or '"'))
                    {
                        throw reader.Error("unsupported dtype: structured or nested descriptors are not supported (expected '<f4' or '<f8')");
                    }

                    descriptor = reader.ReadString();
                    break;
                case "fortran_order":
                    fortranOrder = reader.ReadBoolean();
                    break;
                case "shape":
                    shape = reader.ReadShape();
                    break;
                default:
                    throw reader.Error($"unexpected key '{key}' in header (expected descr, fortran_order, shape)");
            }

            reader.SkipWhitespace();
            if (reader.TryConsume(','))
            {
                continue;
            }

            reader.SkipWhitespace();
            reader.Expect('}');
            break;
        }

        reader.SkipWhitespace();
        if (!reader.AtEnd)
        {
            throw reader.Error($"unexpected text after the header dictionary: '{reader.Rest(20).TrimEnd()}'");
        }

        if (descriptor is null || fortranOrder is null || shape is null)
        {
            var missing = descriptor is null ? "descr" : fortranOrder is null ? "fortran_order" : "shape";
            throw new InvalidInputException(field, $"malformed .npy header: missing key '{missing}' in {Quote(text)}");
        }

        return new NpyHeader(descriptor, fortranOrder.Value, shape);
    }

    private static string Quote(string text)
    {
        var trimmed = text.TrimEnd();
        return trimmed.Length <= 120 ? trimmed : string.Concat(trimmed.AsSpan(0, 120), "...");
    }

    private sealed class Reader(string text, string field)
    {
        private int position;

        public bool AtEnd => position >= text.Length;

        public char Peek() => AtEnd ? '\0' : text[position];

        public string Rest(int length) => text.Substring(position, Math.Min(length, text.Length - position));

        public InvalidInputException Error(string problem) =>
            new(field, $"malformed .npy header: {problem} at offset {position} in {Quote(text)}");

        public void SkipWhitespace()
        {
            while (!AtEnd && char.IsWhiteSpace(text[position]))
            {
                position++;
            }
        }

        public bool TryConsume(char c)
        {
            if (!AtEnd && text[position] == c)
            {
                position++;
                return true;
            }

            return false;
        }

        public void Expect(char c)
        {
            if (!TryConsume(c))
            {
                throw Error(AtEnd ? $"expected '{c}' but the header ended" : $"expected '{c}' but found '{text[position]}'");
            }
        }

        public string ReadString()
        {
            var quote = Peek();
            if (quote is not ('\'' or '"'))
            {
                throw Error(AtEnd ? "expected a quoted string but the header ended" : $"expected a quoted string but found '{text[position]}'");
            }

            position++;
            var start = position;
            while (!AtEnd && text[position] != quote)
            {
                if (text[position] == '\\')
                {
                    throw Error("escape sequences are not supported in header strings");
                }

                position++;
            }

            if (AtEnd)
            {
                throw Error("unterminated string");
            }

            var value = text[start..position];
            position++;
            return value;
        }

        public bool ReadBoolean()
        {
            if (string.CompareOrdinal(text, position, "True", 0, 4) == 0)
            {
                position += 4;
                return true;
            }

            if (string.CompareOrdinal(text, position, "False", 0, 5) == 0)
            {
                position += 5;
                return false;
            }

            throw Error($"expected True or False for fortran_order but found '{Rest(10)}'");
        }

        public long[] ReadShape()
        {
            Expect('(');
            var dimensions = new List<long>();
            while (true)
            {
                SkipWhitespace();
                if (TryConsume(')'))
                {
                    break;
                }

                dimensions.Add(ReadDimension());
                SkipWhitespace();
                if (TryConsume(','))
                {
                    continue;
                }

                Expect(')');
                break;
            }

            return [.. dimensions];
        }

        private long ReadDimension()
        {
            var start = position;
            while (!AtEnd && char.IsAsciiDigit(text[position]))
            {
                position++;
            }

            // NumPy 1.x on Windows wrote "3L"; accept the long suffix for old files.
            var digits = text[start..position];
            if (!AtEnd && text[position] == 'L')
            {
                position++;
            }

            if (digits.Length == 0)
            {
                throw Error($"expected a non-negative integer in shape but found '{Rest(10)}'");
            }

            if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                throw Error($"shape dimension {digits} is too large");
            }

            return value;
        }
    }
}
