using NUnit.Framework;

namespace Facecast.Core.Tests
{
    [TestFixture]
    public class JsonParserTests
    {
        [Test]
        public void ReadsEveryKindOfValue()
        {
            JsonValue root = JsonParser.Parse(" {\"a\": [1, -2.5e3, 0.125, -0], \"b\": {\"c\": true, \"d\": false, \"e\": null}, \"s\": \"x\"}\n");
            Assert.AreEqual(JsonKind.Object, root.Kind);
            CollectionAssert.AreEqual(new[] { "a", "b", "s" }, root.Keys);
            Assert.AreEqual(4, root["a"].Count);
            Assert.AreEqual(-2500.0, root["a"][1].AsNumber());
            Assert.AreEqual(0.125f, root["a"][2].AsFloat());
            Assert.IsTrue(root["b"]["c"].AsBoolean());
            Assert.IsFalse(root["b"]["d"].AsBoolean());
            Assert.IsTrue(root["b"]["e"].IsNull);
            Assert.AreEqual("x", root["s"].AsString());
        }

        [Test]
        public void DecodesEveryStringEscape()
        {
            JsonValue value = JsonParser.Parse("\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t \\u00e9 \\ud83d\\ude00\"");
            Assert.AreEqual("q\" b\\ s/ \b\f\n\r\t \u00e9 \U0001F600", value.AsString());
        }

        [Test]
        public void ReadsNumbersExactlyAsWritten()
        {
            Assert.AreEqual(0.1, JsonParser.Parse("0.1").AsNumber());
            Assert.AreEqual(1e-7, JsonParser.Parse("1E-7").AsNumber());
            Assert.AreEqual(123456789012, JsonParser.Parse("123456789012").AsInteger());
            Assert.AreEqual(0, JsonParser.Parse("[[[]]]")[0][0].Count);
        }

        [TestCase("", "end of text")]
        [TestCase("[1,]", "unexpected character ']'")]
        [TestCase("{\"a\":1,}", "member name")]
        [TestCase("{'a':1}", "member name")]
        [TestCase("[01]", "leading zeros")]
        [TestCase("[1.]", "decimal point")]
        [TestCase("[.5]", "unexpected character '.'")]
        [TestCase("[1e]", "exponent")]
        [TestCase("NaN", "unexpected character 'N'")]
        [TestCase("[Infinity]", "unexpected character 'I'")]
        [TestCase("[1] x", "after the JSON value")]
        [TestCase("[1 2]", "expected ',' or ']'")]
        [TestCase("{\"a\" 1}", "expected ':'")]
        [TestCase("{\"a\":1,\"a\":2}", "duplicate member \"a\"")]
        [TestCase("\"tab\there\"", "control character")]
        [TestCase("\"\\x\"", "invalid escape")]
        [TestCase("\"\\u12g4\"", "hex digit")]
        [TestCase("\"open", "unterminated")]
        [TestCase("tru", "invalid literal")]
        [TestCase("// comment\n1", "unexpected character '/'")]
        [TestCase("1e999", "out of range")]
        public void RefusesWhatIsNotStrictJson(string text, string message)
        {
            var error = Assert.Throws<JsonParseException>(() => JsonParser.Parse(text));
            StringAssert.Contains(message, error.Message);
        }

        [Test]
        public void ErrorsSayWhere()
        {
            var error = Assert.Throws<JsonParseException>(() => JsonParser.Parse("{\n  \"a\": [1,\n  2,,]\n}"));
            StringAssert.StartsWith("JSON line 3, column 5", error.Message);
        }

        [Test]
        public void RefusesNestingDeeperThanTheLimit()
        {
            string deep = new string('[', JsonParser.MaxDepth + 1) + new string(']', JsonParser.MaxDepth + 1);
            StringAssert.Contains("nesting", Assert.Throws<JsonParseException>(() => JsonParser.Parse(deep)).Message);
            string fine = new string('[', JsonParser.MaxDepth) + new string(']', JsonParser.MaxDepth);
            Assert.AreEqual(JsonKind.Array, JsonParser.Parse(fine).Kind);
        }

        [Test]
        public void SkipsAByteOrderMark()
        {
            Assert.AreEqual(3.0, JsonParser.Parse("\uFEFF3").AsNumber());
        }

        [Test]
        public void WrongKindsAndMissingMembersAreNamed()
        {
            JsonValue root = JsonParser.Parse("{\"a\": \"text\", \"n\": 1.5}");
            StringAssert.Contains("expected a number, found a string", Assert.Throws<JsonParseException>(() => root["a"].AsNumber()).Message);
            StringAssert.Contains("missing member \"b\"", Assert.Throws<JsonParseException>(() => root["b"].AsString()).Message);
            StringAssert.Contains("whole number", Assert.Throws<JsonParseException>(() => root["n"].AsInteger()).Message);
            StringAssert.Contains("expected 3 numbers, found 2", Assert.Throws<JsonParseException>(() => JsonParser.Parse("[1, 2]").ReadFloats(new float[3])).Message);
        }
    }
}
