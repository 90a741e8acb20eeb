// Stand-ins for the members of Grpc.Core.Api and Grpc.Net.Client that the package uses (see README.md).
using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace Grpc.Core
{
    public enum MethodType { Unary, ClientStreaming, ServerStreaming, DuplexStreaming }

    public enum StatusCode
    {
        OK = 0, Cancelled = 1, Unknown = 2, InvalidArgument = 3, DeadlineExceeded = 4, NotFound = 5, AlreadyExists = 6,
        PermissionDenied = 7, ResourceExhausted = 8, FailedPrecondition = 9, Aborted = 10, OutOfRange = 11,
        Unimplemented = 12, Internal = 13, Unavailable = 14, DataLoss = 15, Unauthenticated = 16,
    }

    public struct Status
    {
        public StatusCode StatusCode { get { return StatusCode.OK; } }
        public string Detail { get { return ""; } }
    }

    public class RpcException : Exception
    {
        public Status Status { get { return new Status(); } }
        public StatusCode StatusCode { get { return StatusCode.OK; } }
    }

    public class Marshaller<T> { }

    public static class Marshallers
    {
        public static Marshaller<T> Create<T>(Func<T, byte[]> serializer, Func<byte[], T> deserializer) { throw new NotImplementedException(); }
    }

    public class Method<TRequest, TResponse>
    {
        public Method(MethodType type, string serviceName, string name, Marshaller<TRequest> requestMarshaller,
                      Marshaller<TResponse> responseMarshaller) { }
    }

    public sealed class Metadata
    {
        public void Add(string key, string value) { }
    }

    public struct CallOptions
    {
        public CallOptions(Metadata headers = null, DateTime? deadline = null, CancellationToken cancellationToken = default(CancellationToken)) { }
    }

    public interface IAsyncStreamReader<out T>
    {
        T Current { get; }
        Task<bool> MoveNext(CancellationToken cancellationToken);
    }

    public interface IAsyncStreamWriter<in T>
    {
        Task WriteAsync(T message);
    }

    public interface IClientStreamWriter<in T> : IAsyncStreamWriter<T>
    {
        Task CompleteAsync();
    }

    public sealed class AsyncDuplexStreamingCall<TRequest, TResponse> : IDisposable
    {
        public IClientStreamWriter<TRequest> RequestStream { get { throw new NotImplementedException(); } }
        public IAsyncStreamReader<TResponse> ResponseStream { get { throw new NotImplementedException(); } }
        public void Dispose() { }
    }

    public sealed class AsyncUnaryCall<TResponse> : IDisposable
    {
        public Task<TResponse> ResponseAsync { get { throw new NotImplementedException(); } }
        public void Dispose() { }
    }

    public abstract class CallInvoker
    {
        public abstract AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string host, CallOptions options, TRequest request)
            where TRequest : class where TResponse : class;
        public abstract AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string host, CallOptions options)
            where TRequest : class where TResponse : class;
    }

    public abstract class ChannelBase
    {
        public abstract CallInvoker CreateCallInvoker();
    }
}

namespace Grpc.Net.Client
{
    public sealed class GrpcChannelOptions
    {
        public HttpMessageHandler HttpHandler { get; set; }
        public bool DisposeHttpClient { get; set; }
    }

    public sealed class GrpcChannel : Grpc.Core.ChannelBase, IDisposable
    {
        public static GrpcChannel ForAddress(string address, GrpcChannelOptions channelOptions) { throw new NotImplementedException(); }
        public override Grpc.Core.CallInvoker CreateCallInvoker() { throw new NotImplementedException(); }
        public void Dispose() { }
    }
}

namespace Cysharp.Net.Http
{
    public class YetAnotherHttpHandler : HttpMessageHandler
    {
        public bool Http2Only { get; set; }
        public TimeSpan? Http2KeepAliveInterval { get; set; }
        public string RootCertificates { get; set; }
        protected internal override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) { throw new NotImplementedException(); }
    }
}
