using System;
using System.Threading.Tasks;
using Facecast.Transport;
using Facecast.V1;
using Grpc.Core;
using Grpc.Net.Client;
using UnityEngine;

namespace Facecast.Unity
{
    /// <summary>
    /// The connection to one Facecast server, shared by every <see cref="FacecastSpeaker"/> that points
    /// at it: one HTTP/2 connection carries all their streams. The channel opens on first use and
    /// closes with the component.
    /// </summary>
    [DisallowMultipleComponent]
    [AddComponentMenu("Facecast/Facecast Client")]
    public sealed class FacecastClient : MonoBehaviour
    {
        /// <summary>Read when the inspector's key is empty, so keys need not live in scenes or builds.</summary>
        public const string ApiKeyEnvironmentVariable = "FACECAST_API_KEY";

        [Tooltip("host:port of `facecast serve` (default port 50051), or an http(s):// URL.")]
        [SerializeField] private string serverAddress = "127.0.0.1:50051";

        [Tooltip("HTTPS (TLS). Off: cleartext HTTP/2, for a server on this machine or a trusted network.")]
        [SerializeField] private bool useTls;

        [Tooltip("Sent as 'authorization: Bearer <key>'. Empty: the FACECAST_API_KEY environment variable, else none. " +
                 "Anything typed here ships with the build.")]
        [SerializeField] private string apiKey = "";

        private GrpcChannel _channel;
        private FaceAnimationClient _api;

        public string ServerAddressText
        {
            get { return serverAddress; }
            set { serverAddress = value; Disconnect(); }
        }

        public bool UseTls
        {
            get { return useTls; }
            set { useTls = value; Disconnect(); }
        }

        public string ApiKey
        {
            set { apiKey = value ?? ""; }
        }

        /// <summary>The service's calls, on this client's channel (opened now if needed).</summary>
        public FaceAnimationClient Api
        {
            get
            {
                if (_api == null)
                {
                    _channel = FacecastChannel.Create(serverAddress, useTls);
                    _api = new FaceAnimationClient(_channel);
                }
                return _api;
            }
        }

        /// <summary>The metadata every call carries: the API key, if any.</summary>
        public Metadata CallHeaders()
        {
            var headers = new Metadata();
            string key = string.IsNullOrEmpty(apiKey) ? Environment.GetEnvironmentVariable(ApiKeyEnvironmentVariable) : apiKey;
            if (!string.IsNullOrEmpty(key)) headers.Add("authorization", "Bearer " + key);
            return headers;
        }

        /// <summary>What the server supports (fps range, sample rates, outputs); a cheap connectivity check.</summary>
        public Task<GetCapabilitiesResponse> GetCapabilitiesAsync()
        {
            var options = new CallOptions(headers: CallHeaders(), deadline: DateTime.UtcNow.AddSeconds(10));
            return Api.GetCapabilitiesAsync(new GetCapabilitiesRequest(), options).ResponseAsync;
        }

        /// <summary>Closes the channel; the next use opens a new one (after changing the address, say).</summary>
        public void Disconnect()
        {
            if (_channel == null) return;
            _channel.Dispose();
            _channel = null;
            _api = null;
        }

        private void OnDestroy()
        {
            Disconnect();
        }
    }
}
