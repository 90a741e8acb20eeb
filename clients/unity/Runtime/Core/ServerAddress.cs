using System;

namespace Facecast.Core
{
    /// <summary>
    /// Turns what a user types in the inspector ("127.0.0.1:50051", "facecast.example.com",
    /// "https://facecast.example.com:443") into the URL a gRPC channel needs. The scheme follows the
    /// TLS switch (http is cleartext HTTP/2, "h2c"); a URL whose scheme contradicts the switch is
    /// refused rather than silently sent in clear.
    /// </summary>
    public static class ServerAddress
    {
        /// <summary>The port of `facecast serve` unless told otherwise.</summary>
        public const int DefaultPort = 50051;

        public static string ToUrl(string address, bool useTls)
        {
            if (address == null) throw new ArgumentNullException("address");
            string rest = address.Trim();
            string scheme = useTls ? "https" : "http";
            int separator = rest.IndexOf("://", StringComparison.Ordinal);
            if (separator >= 0)
            {
                string given = rest.Substring(0, separator).ToLowerInvariant();
                if (given != "http" && given != "https")
                {
                    throw new ArgumentException(string.Format("server address \"{0}\": the scheme must be http or https", address), "address");
                }
                if (given != scheme)
                {
                    throw new ArgumentException(string.Format(
                        "server address \"{0}\" says {1} but TLS is {2}: make them agree", address, given, useTls ? "on" : "off"), "address");
                }
                rest = rest.Substring(separator + 3);
            }
            rest = rest.TrimEnd('/');
            if (rest.Length == 0 || rest.IndexOfAny(new[] { '/', ' ', '?', '#', '@' }) >= 0)
            {
                throw new ArgumentException(string.Format("server address \"{0}\" is not host[:port]", address), "address");
            }
            if (!HasPort(rest)) rest += ":" + (useTls ? 443 : DefaultPort);
            return scheme + "://" + rest;
        }

        // "host:port", "[::1]:port" have one; "host", "[::1]" do not. A bare IPv6 address without
        // brackets is ambiguous and refused.
        private static bool HasPort(string hostPort)
        {
            int close = hostPort.LastIndexOf(']');
            int colon = hostPort.LastIndexOf(':');
            if (hostPort.StartsWith("[", StringComparison.Ordinal))
            {
                if (close < 0) throw new ArgumentException("unclosed '[' in server address " + hostPort, "address");
                if (colon < close) return false;
            }
            else if (colon >= 0 && hostPort.IndexOf(':') != colon)
            {
                throw new ArgumentException("put an IPv6 address in brackets: [" + hostPort + "]", "address");
            }
            if (colon < 0) return false;
            int port;
            if (!int.TryParse(hostPort.Substring(colon + 1), out port) || port < 1 || port > 65535)
            {
                throw new ArgumentException("the port must be 1..65535 in server address " + hostPort, "address");
            }
            return true;
        }
    }
}
