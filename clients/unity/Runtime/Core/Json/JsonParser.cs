using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Facecast.Core
{
    /// <summary>
    /// A small, strict JSON reader (RFC 8259): objects, arrays, numbers, strings with every escape,
    /// true, false, null. Strict means it refuses what a lenient reader would guess at — trailing
    /// commas, comments, single quotes, NaN, leading zeros, unescaped control characters, duplicate
    /// keys, anything after the value — with the line and column, so a broken file fails loudly
    /// rather than loading wrong motion. A leading byte-order mark is skipped (the RFC allows it).
    /// For files read once (motion clips, test vectors), not for per-frame work.
    /// </summary>
    public sealed class JsonParser
    {
        /// <summary>Deeper nesting is refused rather than risking the stack.</summary>
        public const int MaxDepth = 128;

        private readonly string _text;
        private int _position;
        private int _depth;

        private JsonParser(string text)
        {
            _text = text;
        }

        public static JsonValue Parse(string text)
        {
            if (text == null) throw new ArgumentNullException("text");
            var parser = new JsonParser(text);
            if (text.Length > 0 && text[0] == '\uFEFF') parser._position = 1;
            parser.SkipWhitespace();
            JsonValue value = parser.ParseValue();
            parser.SkipWhitespace();
            if (parser._position != text.Length) throw parser.Error("unexpected text after the JSON value");
            return value;
        }

        private JsonValue ParseValue()
        {
            if (_position >= _text.Length) throw Error("unexpected end of text, expected a value");
            char c = _text[_position];
            switch (c)
            {
                case '{': return ParseObject();
                case '[': return ParseArray();
                case '"': return JsonValue.String(ParseString());
                case 't': ExpectWord("true"); return JsonValue.True;
                case 'f': ExpectWord("false"); return JsonValue.False;
                case 'n': ExpectWord("null"); return JsonValue.Null;
                default:
                    if (c == '-' || (c >= '0' && c <= '9')) return ParseNumber();
                    throw Error(string.Format("unexpected character '{0}'", Printable(c)));
            }
        }

        private JsonValue ParseObject()
        {
            Enter();
            _position++; // '{'
            var members = new Dictionary<string, JsonValue>();
            var keys = new List<string>();
            SkipWhitespace();
            if (Peek() == '}')
            {
                _position++;
                _depth--;
                return JsonValue.Object(members, keys);
            }
            while (true)
            {
                SkipWhitespace();
                if (Peek() != '"') throw Error("expected a member name in double quotes");
                int keyStart = _position;
                string key = ParseString();
                if (members.ContainsKey(key))
                {
                    _position = keyStart;
                    throw Error(string.Format("duplicate member \"{0}\"", key));
                }
                SkipWhitespace();
                if (Peek() != ':') throw Error("expected ':' after a member name");
                _position++;
                SkipWhitespace();
                members.Add(key, ParseValue());
                keys.Add(key);
                SkipWhitespace();
                char next = Peek();
                _position++;
                if (next == '}') break;
                if (next != ',')
                {
                    _position--;
                    throw Error("expected ',' or '}' in an object");
                }
            }
            _depth--;
            return JsonValue.Object(members, keys);
        }

        private JsonValue ParseArray()
        {
            Enter();
            _position++; // '['
            var items = new List<JsonValue>();
            SkipWhitespace();
            if (Peek() == ']')
            {
                _position++;
                _depth--;
                return JsonValue.Array(items);
            }
            while (true)
            {
                SkipWhitespace();
                items.Add(ParseValue());
                SkipWhitespace();
                char next = Peek();
                _position++;
                if (next == ']') break;
                if (next != ',')
                {
                    _position--;
                    throw Error("expected ',' or ']' in an array");
                }
            }
            _depth--;
            return JsonValue.Array(items);
        }

        private string ParseString()
        {
            _position++; // opening quote
            StringBuilder builder = null;
            int runStart = _position;
            while (true)
            {
                if (_position >= _text.Length) throw Error("unterminated string");
                char c = _text[_position];
                if (c == '"')
                {
                    string run = _text.Substring(runStart, _position - runStart);
                    _position++;
                    return builder == null ? run : builder.Append(run).ToString();
                }
                if (c < ' ') throw Error(string.Format("control character U+{0:X4} in a string must be escaped", (int)c));
                if (c != '\\')
                {
                    _position++;
                    continue;
                }
                if (builder == null) builder = new StringBuilder();
                builder.Append(_text, runStart, _position - runStart);
                _position++;
                if (_position >= _text.Length) throw Error("unterminated escape");
                char escape = _text[_position];
                switch (escape)
                {
                    case '"': builder.Append('"'); break;
                    case '\\': builder.Append('\\'); break;
                    case '/': builder.Append('/'); break;
                    case 'b': builder.Append('\b'); break;
                    case 'f': builder.Append('\f'); break;
                    case 'n': builder.Append('\n'); break;
                    case 'r': builder.Append('\r'); break;
                    case 't': builder.Append('\t'); break;
                    case 'u':
                        builder.Append(ParseHex4());
                        _position += 4;
                        break;
                    default:
                        throw Error(string.Format("invalid escape '\\{0}'", Printable(escape)));
                }
                _position++;
                runStart = _position;
            }
        }

        // A \uXXXX escape is one UTF-16 code unit; surrogate pairs arrive as two escapes and pair up
        // in the string as they would in the text.
        private char ParseHex4()
        {
            if (_position + 4 >= _text.Length) throw Error("incomplete \\u escape");
            int value = 0;
            for (int i = 1; i <= 4; i++)
            {
                char h = _text[_position + i];
                int digit;
                if (h >= '0' && h <= '9') digit = h - '0';
                else if (h >= 'a' && h <= 'f') digit = h - 'a' + 10;
                else if (h >= 'A' && h <= 'F') digit = h - 'A' + 10;
                else throw Error("invalid hex digit in a \\u escape");
                value = value * 16 + digit;
            }
            return (char)value;
        }

        // The RFC grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
        private JsonValue ParseNumber()
        {
            int start = _position;
            if (Peek() == '-') _position++;
            if (Peek() == '0')
            {
                _position++;
                if (IsDigit(Peek())) throw Error("leading zeros are not allowed in numbers");
            }
            else if (IsDigit(Peek()))
            {
                SkipDigits();
            }
            else
            {
                throw Error("expected a digit");
            }
            if (Peek() == '.')
            {
                _position++;
                if (!IsDigit(Peek())) throw Error("expected a digit after the decimal point");
                SkipDigits();
            }
            if (Peek() == 'e' || Peek() == 'E')
            {
                _position++;
                if (Peek() == '+' || Peek() == '-') _position++;
                if (!IsDigit(Peek())) throw Error("expected a digit in the exponent");
                SkipDigits();
            }
            // Overflow is false on Mono and .NET Framework, infinity on .NET Core: refuse both.
            double value;
            bool parsed = double.TryParse(_text.Substring(start, _position - start), NumberStyles.Float,
                                          CultureInfo.InvariantCulture, out value);
            if (!parsed || double.IsInfinity(value))
            {
                _position = start;
                throw Error("number out of range");
            }
            return JsonValue.Number(value);
        }

        private void ExpectWord(string word)
        {
            if (string.CompareOrdinal(_text, _position, word, 0, word.Length) != 0) throw Error("invalid literal");
            _position += word.Length;
        }

        private void Enter()
        {
            _depth++;
            if (_depth > MaxDepth) throw Error(string.Format("nesting deeper than {0}", MaxDepth));
        }

        private void SkipWhitespace()
        {
            while (_position < _text.Length)
            {
                char c = _text[_position];
                if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
                _position++;
            }
        }

        private void SkipDigits()
        {
            while (IsDigit(Peek())) _position++;
        }

        // '\0' at the end: never a valid character at any place it is checked.
        private char Peek()
        {
            return _position < _text.Length ? _text[_position] : '\0';
        }

        private static bool IsDigit(char c)
        {
            return c >= '0' && c <= '9';
        }

        private static string Printable(char c)
        {
            return c < ' ' || c > '~' ? string.Format("U+{0:X4}", (int)c) : c.ToString();
        }

        private JsonParseException Error(string message)
        {
            int line = 1;
            int column = 1;
            int end = Math.Min(_position, _text.Length);
            for (int i = 0; i < end; i++)
            {
                if (_text[i] == '\n')
                {
                    line++;
                    column = 1;
                }
                else
                {
                    column++;
                }
            }
            return new JsonParseException(string.Format("JSON line {0}, column {1}: {2}", line, column, message));
        }
    }
}
