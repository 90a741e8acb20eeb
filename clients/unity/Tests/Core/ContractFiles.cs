using System;
using System.IO;
using NUnit.Framework;

namespace Facecast.Core.Tests
{
    /// <summary>
    /// The repository's contract vectors (tests/contract/, written from the real server by
    /// tests/contract/make_vectors.py). Their folder comes from FACECAST_CONTRACT_DIR; without it the
    /// tests that need them are ignored (in Unity, set it to run them), never silently passed.
    /// </summary>
    internal static class ContractFiles
    {
        public const string Variable = "FACECAST_CONTRACT_DIR";

        public static string Folder()
        {
            string folder = Environment.GetEnvironmentVariable(Variable);
            if (string.IsNullOrEmpty(folder)) Assert.Ignore(Variable + " is not set: it names the folder of the contract vectors (tests/contract)");
            if (!Directory.Exists(folder)) Assert.Fail(Variable + " names a folder that does not exist: " + folder);
            return folder;
        }

        public static string[] Streams()
        {
            string[] files = Directory.GetFiles(Folder(), "stream_*.json");
            Array.Sort(files, StringComparer.Ordinal);
            if (files.Length == 0) Assert.Fail("no stream_*.json in " + Folder());
            return files;
        }

        public static string Path(string name)
        {
            string path = System.IO.Path.Combine(Folder(), name);
            if (!File.Exists(path)) Assert.Fail("missing contract file " + path);
            return path;
        }

        public static JsonValue Read(string path)
        {
            return JsonParser.Parse(File.ReadAllText(path));
        }
    }
}
