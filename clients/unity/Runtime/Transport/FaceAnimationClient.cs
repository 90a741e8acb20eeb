using Facecast.V1;
using Google.Protobuf;
using Grpc.Core;

namespace Facecast.Transport
{
    /// <summary>
    /// The calls of the service facecast.v1.FaceAnimation (proto/facecast/v1/face_animation.proto),
    /// over any gRPC CallInvoker. Written by hand because protoc's C# gRPC plugin (grpc_csharp_plugin)
    /// is not part of the toolchain the package is generated with; the descriptors are the whole of
    /// what it would generate: a service name, method names, and protobuf marshallers.
    /// </summary>
    public sealed class FaceAnimationClient
    {
        public const string ServiceName = "facecast.v1.FaceAnimation";

        public static readonly Method<AnimateRequest, AnimateResponse> AnimateMethod =
            new Method<AnimateRequest, AnimateResponse>(MethodType.DuplexStreaming, ServiceName, "Animate",
                MarshallerFor(AnimateRequest.Parser), MarshallerFor(AnimateResponse.Parser));

        public static readonly Method<GetCapabilitiesRequest, GetCapabilitiesResponse> GetCapabilitiesMethod =
            new Method<GetCapabilitiesRequest, GetCapabilitiesResponse>(MethodType.Unary, ServiceName, "GetCapabilities",
                MarshallerFor(GetCapabilitiesRequest.Parser), MarshallerFor(GetCapabilitiesResponse.Parser));

        public static readonly Method<CreateAvatarRequest, CreateAvatarResponse> CreateAvatarMethod =
            new Method<CreateAvatarRequest, CreateAvatarResponse>(MethodType.Unary, ServiceName, "CreateAvatar",
                MarshallerFor(CreateAvatarRequest.Parser), MarshallerFor(CreateAvatarResponse.Parser));

        public static readonly Method<GetAvatarRequest, GetAvatarResponse> GetAvatarMethod =
            new Method<GetAvatarRequest, GetAvatarResponse>(MethodType.Unary, ServiceName, "GetAvatar",
                MarshallerFor(GetAvatarRequest.Parser), MarshallerFor(GetAvatarResponse.Parser));

        public static readonly Method<ListAvatarsRequest, ListAvatarsResponse> ListAvatarsMethod =
            new Method<ListAvatarsRequest, ListAvatarsResponse>(MethodType.Unary, ServiceName, "ListAvatars",
                MarshallerFor(ListAvatarsRequest.Parser), MarshallerFor(ListAvatarsResponse.Parser));

        public static readonly Method<DeleteAvatarRequest, DeleteAvatarResponse> DeleteAvatarMethod =
            new Method<DeleteAvatarRequest, DeleteAvatarResponse>(MethodType.Unary, ServiceName, "DeleteAvatar",
                MarshallerFor(DeleteAvatarRequest.Parser), MarshallerFor(DeleteAvatarResponse.Parser));

        private readonly CallInvoker _invoker;

        public FaceAnimationClient(CallInvoker invoker)
        {
            _invoker = invoker;
        }

        public FaceAnimationClient(ChannelBase channel) : this(channel.CreateCallInvoker())
        {
        }

        /// <summary>
        /// Opens a session: write a config, audio and controls, then end-of-audio, to the request
        /// stream (one write at a time); read SessionStarted, frames, events and the status back.
        /// </summary>
        public AsyncDuplexStreamingCall<AnimateRequest, AnimateResponse> Animate(CallOptions options)
        {
            return _invoker.AsyncDuplexStreamingCall(AnimateMethod, null, options);
        }

        public AsyncUnaryCall<GetCapabilitiesResponse> GetCapabilitiesAsync(GetCapabilitiesRequest request, CallOptions options)
        {
            return _invoker.AsyncUnaryCall(GetCapabilitiesMethod, null, options, request);
        }

        public AsyncUnaryCall<CreateAvatarResponse> CreateAvatarAsync(CreateAvatarRequest request, CallOptions options)
        {
            return _invoker.AsyncUnaryCall(CreateAvatarMethod, null, options, request);
        }

        public AsyncUnaryCall<GetAvatarResponse> GetAvatarAsync(GetAvatarRequest request, CallOptions options)
        {
            return _invoker.AsyncUnaryCall(GetAvatarMethod, null, options, request);
        }

        public AsyncUnaryCall<ListAvatarsResponse> ListAvatarsAsync(ListAvatarsRequest request, CallOptions options)
        {
            return _invoker.AsyncUnaryCall(ListAvatarsMethod, null, options, request);
        }

        public AsyncUnaryCall<DeleteAvatarResponse> DeleteAvatarAsync(DeleteAvatarRequest request, CallOptions options)
        {
            return _invoker.AsyncUnaryCall(DeleteAvatarMethod, null, options, request);
        }

        // The marshaller protoc's gRPC plugin would write: protobuf bytes both ways.
        private static Marshaller<T> MarshallerFor<T>(MessageParser<T> parser) where T : IMessage<T>
        {
            return Marshallers.Create(message => message.ToByteArray(), parser.ParseFrom);
        }
    }
}
