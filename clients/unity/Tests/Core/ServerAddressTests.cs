using System;
using NUnit.Framework;

namespace Facecast.Core.Tests
{
    [TestFixture]
    public class ServerAddressTests
    {
        [TestCase("127.0.0.1:50051", false, "http://127.0.0.1:50051")]
        [TestCase(" localhost ", false, "http://localhost:50051")]
        [TestCase("facecast.example.com", true, "https://facecast.example.com:443")]
        [TestCase("https://facecast.example.com:8443/", true, "https://facecast.example.com:8443")]
        [TestCase("HTTP://host:1", false, "http://host:1")]
        [TestCase("[::1]:50051", false, "http://[::1]:50051")]
        [TestCase("[::1]", false, "http://[::1]:50051")]
        public void BecomesAUrlWhoseSchemeFollowsTheTlsSwitch(string address, bool tls, string url)
        {
            Assert.AreEqual(url, ServerAddress.ToUrl(address, tls));
        }

        [TestCase("https://host:443", false, "TLS is off")]
        [TestCase("http://host", true, "TLS is on")]
        [TestCase("ftp://host", false, "http or https")]
        [TestCase("", false, "not host[:port]")]
        [TestCase("host:50051/path", false, "not host[:port]")]
        [TestCase("host:0", false, "1..65535")]
        [TestCase("host:port", false, "1..65535")]
        [TestCase("::1", false, "brackets")]
        public void RefusesWhatIsNotAServerAddress(string address, bool tls, string message)
        {
            StringAssert.Contains(message, Assert.Throws<ArgumentException>(() => ServerAddress.ToUrl(address, tls)).Message);
        }
    }
}
