// Stand-ins for System.Net.Http (not part of Debian's minimal Mono), as far as the handler needs them (see README.md).
using System;
using System.Threading;
using System.Threading.Tasks;

namespace System.Net.Http
{
    public class HttpRequestMessage { }

    public class HttpResponseMessage { }

    public abstract class HttpMessageHandler : IDisposable
    {
        protected internal abstract Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken);
        public void Dispose() { }
    }
}
