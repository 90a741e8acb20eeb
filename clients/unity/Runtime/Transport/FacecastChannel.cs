using System;
using Cysharp.Net.Http;
using Facecast.Core;
using Grpc.Net.Client;

namespace Facecast.Transport
{
    /// <summary>
    /// Makes the gRPC channel to a Facecast server: grpc-dotnet (Grpc.Net.Client) over Cysharp's
    /// YetAnotherHttpHandler, because Unity's own HTTP stack has no HTTP/2 and the C-core Grpc.Core
    /// is deprecated. Http2Only makes plain http speak cleartext HTTP/2 (h2c), which `facecast serve`
    /// listens with; https negotiates HTTP/2 by ALPN over rustls.
    /// </summary>
    public static class FacecastChannel
    {
        // Keep-alive pings while a stream is open: idle NPCs hold long sessions through NATs that drop
        // silent connections. The server accepts pings 20 s apart or more (service/server.py).
        private static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(30);

        /// <param name="address">"host:port" or an http(s) URL (see <see cref="ServerAddress"/>).</param>
        /// <param name="useTls">https with the platform-independent Mozilla roots (rustls/webpki).</param>
        /// <param name="rootCertificatesPem">Optional PEM roots for a private CA; null for the default.</param>
        public static GrpcChannel Create(string address, bool useTls, string rootCertificatesPem = null)
        {
            var handler = new YetAnotherHttpHandler
            {
                Http2Only = true,
                Http2KeepAliveInterval = KeepAliveInterval,
            };
            if (!string.IsNullOrEmpty(rootCertificatesPem)) handler.RootCertificates = rootCertificatesPem;
            return GrpcChannel.ForAddress(ServerAddress.ToUrl(address, useTls), new GrpcChannelOptions
            {
                HttpHandler = handler,
                DisposeHttpClient = true,
            });
        }
    }
}
