using System;
using System.Collections.Generic;
using System.Globalization;

namespace Facecast.Core
{
    /// <summary>
    /// One parsed JSON value (see <see cref="JsonParser"/>). The typed accessors throw a
    /// <see cref="JsonParseException"/> naming the expected and actual kind, so a reader of a file
    /// format reports a wrong field clearly without checking every kind itself.
    /// Unity's JsonUtility cannot read arrays of arrays or free-form maps, and Core must not depend
    /// on the engine: hence this small reader of our own.
    /// </summary>
    public sealed class JsonValue
    {
        public static readonly JsonValue Null = new JsonValue(JsonKind.Null);
        public static readonly JsonValue True = new JsonValue(JsonKind.Boolean) { _boolean = true };
        public static readonly JsonValue False = new JsonValue(JsonKind.Boolean) { _boolean = false };

        private readonly JsonKind _kind;
        private bool _boolean;
        private double _number;
        private string _string;
        private List<JsonValue> _items;
        private Dictionary<string, JsonValue> _members;
        private List<string> _keys;

        private JsonValue(JsonKind kind)
        {
            _kind = kind;
        }

        public static JsonValue Number(double value)
        {
            return new JsonValue(JsonKind.Number) { _number = value };
        }

        public static JsonValue String(string value)
        {
            if (value == null) throw new ArgumentNullException("value");
            return new JsonValue(JsonKind.String) { _string = value };
        }

        public static JsonValue Array(List<JsonValue> items)
        {
            if (items == null) throw new ArgumentNullException("items");
            return new JsonValue(JsonKind.Array) { _items = items };
        }

        /// <summary>An object; <paramref name="keys"/> keeps the members' order as written.</summary>
        public static JsonValue Object(Dictionary<string, JsonValue> members, List<string> keys)
        {
            if (members == null) throw new ArgumentNullException("members");
            if (keys == null) throw new ArgumentNullException("keys");
            return new JsonValue(JsonKind.Object) { _members = members, _keys = keys };
        }

        public JsonKind Kind { get { return _kind; } }

        public bool IsNull { get { return _kind == JsonKind.Null; } }

        /// <summary>Items of an array, members of an object.</summary>
        public int Count
        {
            get
            {
                if (_kind == JsonKind.Array) return _items.Count;
                if (_kind == JsonKind.Object) return _keys.Count;
                throw WrongKind("an array or an object");
            }
        }

        public JsonValue this[int index]
        {
            get
            {
                Expect(JsonKind.Array);
                if (index < 0 || index >= _items.Count)
                {
                    throw new JsonParseException(string.Format("index {0} is outside an array of {1}", index, _items.Count));
                }
                return _items[index];
            }
        }

        /// <summary>A required member of an object; a missing one throws, naming it.</summary>
        public JsonValue this[string key]
        {
            get
            {
                JsonValue value;
                if (!TryGet(key, out value)) throw new JsonParseException(string.Format("missing member \"{0}\"", key));
                return value;
            }
        }

        public IList<string> Keys
        {
            get
            {
                Expect(JsonKind.Object);
                return _keys.AsReadOnly();
            }
        }

        public bool TryGet(string key, out JsonValue value)
        {
            Expect(JsonKind.Object);
            return _members.TryGetValue(key, out value);
        }

        public bool AsBoolean()
        {
            Expect(JsonKind.Boolean);
            return _boolean;
        }

        public double AsNumber()
        {
            Expect(JsonKind.Number);
            return _number;
        }

        public float AsFloat()
        {
            return (float)AsNumber();
        }

        /// <summary>A number that must be a whole number in the range of Int64.</summary>
        public long AsInteger()
        {
            double number = AsNumber();
            if (number != Math.Floor(number) || number < long.MinValue || number > long.MaxValue)
            {
                throw new JsonParseException(string.Format(CultureInfo.InvariantCulture, "expected a whole number, found {0}", number));
            }
            return (long)number;
        }

        public string AsString()
        {
            Expect(JsonKind.String);
            return _string;
        }

        /// <summary>An array of numbers as floats, into a new array.</summary>
        public float[] AsFloatArray()
        {
            var result = new float[Count];
            ReadFloats(result);
            return result;
        }

        /// <summary>An array of exactly <c>into.Length</c> numbers, into the caller's array.</summary>
        public void ReadFloats(float[] into)
        {
            Expect(JsonKind.Array);
            if (_items.Count != into.Length)
            {
                throw new JsonParseException(string.Format("expected {0} numbers, found {1}", into.Length, _items.Count));
            }
            for (int i = 0; i < into.Length; i++)
            {
                into[i] = _items[i].AsFloat();
            }
        }

        public string[] AsStringArray()
        {
            var result = new string[Count];
            for (int i = 0; i < result.Length; i++)
            {
                result[i] = this[i].AsString();
            }
            return result;
        }

        private void Expect(JsonKind kind)
        {
            if (_kind != kind) throw WrongKind(Article(kind));
        }

        private JsonParseException WrongKind(string expected)
        {
            return new JsonParseException(string.Format("expected {0}, found {1}", expected, Article(_kind)));
        }

        private static string Article(JsonKind kind)
        {
            switch (kind)
            {
                case JsonKind.Null: return "null";
                case JsonKind.Boolean: return "a boolean";
                case JsonKind.Number: return "a number";
                case JsonKind.String: return "a string";
                case JsonKind.Array: return "an array";
                default: return "an object";
            }
        }
    }
}
