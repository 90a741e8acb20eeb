using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;
using Facecast.Core;
using Facecast.V1;
using Grpc.Core;

namespace Facecast.Transport
{
    /// <summary>
    /// One Animate stream, run on background tasks: a writer that sends the queued requests one at a
    /// time (a gRPC request stream allows one pending write), and a reader that turns responses into
    /// Core types — frames into the <see cref="FrameHandoff"/> (waiting for room: back-pressure), rendered
    /// images into the <see cref="RenderedImageQueue"/>, everything else into notices.
    /// <para>
    /// Callers on any thread queue audio, controls and the end; nothing here blocks them. The
    /// <see cref="State"/> and the notices change on the reader's thread: a Unity caller hands them to
    /// the main thread (see FacecastSpeaker).
    /// </para>
    /// </summary>
    public sealed class AnimateSession : IDisposable
    {
        private readonly FaceAnimationClient _client;
        private readonly Metadata _headers;
        private readonly FrameHandoff _frames;
        private readonly RenderedImageQueue _images;
        private readonly Action<SessionNotice> _onNotice;
        private readonly SessionStateMachine _state = new SessionStateMachine();
        private readonly ConcurrentQueue<AnimateRequest> _outgoing = new ConcurrentQueue<AnimateRequest>();
        private readonly SemaphoreSlim _pending = new SemaphoreSlim(0);
        private readonly CancellationTokenSource _cancel = new CancellationTokenSource();
        private readonly CancellationTokenSource _stopWriter = new CancellationTokenSource();
        private readonly MotionFrameData _scratch;
        private AsyncDuplexStreamingCall<AnimateRequest, AnimateResponse> _call;
        private Exception _writeError;
        private int _ended;
        private int _sessionStarted;   // 1 once SessionStarted arrived: from then on a failure is final

        /// <param name="client">The service client (see <see cref="FacecastChannel"/>).</param>
        /// <param name="headers">Call metadata, e.g. "authorization: Bearer KEY"; may be null.</param>
        /// <param name="frames">Where motion frames go; sized for the 52/15 arrays of the contract.</param>
        /// <param name="images">Where rendered frames go; null when none were asked for.</param>
        /// <param name="onNotice">Gets every notice, on the reader's thread.</param>
        public AnimateSession(FaceAnimationClient client, Metadata headers, FrameHandoff frames,
                              RenderedImageQueue images, Action<SessionNotice> onNotice)
        {
            if (client == null) throw new ArgumentNullException("client");
            if (frames == null) throw new ArgumentNullException("frames");
            if (onNotice == null) throw new ArgumentNullException("onNotice");
            _client = client;
            _headers = headers;
            _frames = frames;
            _images = images;
            _onNotice = onNotice;
            _scratch = new MotionFrameData();
        }

        public SessionStateMachine State { get { return _state; } }

        /// <summary>Finishes when the stream has ended, whichever way (never faults).</summary>
        public Task Completion { get; private set; }

        /// <summary>Opens the call and sends the config; the header arrives as a Started notice.</summary>
        public void Start(SessionSettings settings)
        {
            if (settings == null) throw new ArgumentNullException("settings");
            _state.MoveTo(SessionState.Connecting);
            _call = _client.Animate(new CallOptions(headers: _headers, cancellationToken: _cancel.Token));
            Enqueue(MessageConverter.Config(settings));
            Completion = Task.Run(RunAsync);
        }

        /// <summary>
        /// Queues PCM16 bytes [0, count) of <paramref name="pcm16"/> (copied; the buffer may be reused).
        /// Once the stream has ended (failed, cancelled) audio is dropped: nothing would send it.
        /// </summary>
        public void SendAudio(byte[] pcm16, int count)
        {
            if (Volatile.Read(ref _ended) != 0) throw new InvalidOperationException("audio after EndAudio");
            if (!_state.IsActive) return;
            Enqueue(MessageConverter.Audio(pcm16, count));
        }

        /// <summary>Queues PCM16 bytes of the other party's voice (a conversation's listen stream; copied).
        /// Dropped once the stream has ended, like <see cref="SendAudio"/>.</summary>
        public void SendListenAudio(byte[] pcm16, int count)
        {
            if (Volatile.Read(ref _ended) != 0) throw new InvalidOperationException("listen audio after EndAudio");
            if (!_state.IsActive) return;
            Enqueue(MessageConverter.ListenAudio(pcm16, count));
        }

        /// <summary>Queues a barge-in: the face's own audio from <paramref name="atS"/> (null: where the listen
        /// stream has reached) is dropped and its mouth eases shut; an Interrupted notice says where it took effect.</summary>
        public void Interrupt(double? atS = null)
        {
            if (Volatile.Read(ref _ended) != 0) throw new InvalidOperationException("interrupt after EndAudio");
            if (!_state.IsActive) return;
            Enqueue(MessageConverter.Interrupt(atS));
        }

        /// <summary>Queues new controls; they apply from the audio sent so far, over transitionS (server default 0.3 s).</summary>
        public void UpdateControls(FaceControls controls, float? transitionS = null)
        {
            if (controls == null) throw new ArgumentNullException("controls");
            if (Volatile.Read(ref _ended) != 0) throw new InvalidOperationException("controls after EndAudio");
            Enqueue(MessageConverter.ControlUpdate(controls, transitionS));
        }

        /// <summary>No more audio: the server sends the remaining frames, the status, and closes. Idempotent.</summary>
        public void EndAudio()
        {
            if (Interlocked.Exchange(ref _ended, 1) != 0) return;
            Enqueue(MessageConverter.EndOfAudio());
            _state.TryMoveTo(SessionState.Ending);
        }

        /// <summary>Stops the call now (the state becomes Closed).</summary>
        public void Cancel()
        {
            _cancel.Cancel();
        }

        public void Dispose()
        {
            Cancel();
            if (_call != null) _call.Dispose();
        }

        private void Enqueue(AnimateRequest request)
        {
            _outgoing.Enqueue(request);
            _pending.Release();
        }

        private async Task RunAsync()
        {
            Task writer = WriteAsync();
            try
            {
                await ReadAsync().ConfigureAwait(false);
                _state.TryMoveTo(SessionState.Closed);
            }
            catch (Exception error)
            {
                Finish(error);
            }
            finally
            {
                _stopWriter.Cancel();
                try
                {
                    await writer.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // the writer was stopped: expected
                }
            }
        }

        // Sorts out how a stream that threw ended: cancelled by us, refused by the server, or broken here.
        private void Finish(Exception error)
        {
            Exception cause = _writeError ?? error;
            var rpc = cause as RpcException;
            if (_cancel.IsCancellationRequested && _writeError == null)
            {
                _state.TryMoveTo(SessionState.Closed);
            }
            else if (rpc != null)
            {
                StatusCode code = rpc.StatusCode;
                bool retryable = StartRetryRule.MayRetry((int)code, Volatile.Read(ref _sessionStarted) != 0);
                if (_state.TryMoveTo(SessionState.Failed)) _onNotice(SessionNotice.Failed(code.ToString(), rpc.Status.Detail, retryable));
            }
            else
            {
                if (_state.TryMoveTo(SessionState.Failed)) _onNotice(SessionNotice.Failed("Internal", cause.Message, false));
            }
        }

        private async Task WriteAsync()
        {
            CancellationToken stop = _stopWriter.Token;
            try
            {
                while (true)
                {
                    await _pending.WaitAsync(stop).ConfigureAwait(false);
                    AnimateRequest request;
                    if (!_outgoing.TryDequeue(out request)) continue;
                    await _call.RequestStream.WriteAsync(request).ConfigureAwait(false);
                    if (request.RequestCase == AnimateRequest.RequestOneofCase.EndOfAudio)
                    {
                        await _call.RequestStream.CompleteAsync().ConfigureAwait(false);
                        return;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                throw;
            }
            catch (Exception error)
            {
                // A failed write usually means the call already ended; the reader learns its status.
                // Cancelling makes sure the reader wakes up even if the server never answers.
                _writeError = error;
                _cancel.Cancel();
            }
        }

        private async Task ReadAsync()
        {
            CancellationToken cancel = _cancel.Token;
            IAsyncStreamReader<AnimateResponse> responses = _call.ResponseStream;
            while (await responses.MoveNext(cancel).ConfigureAwait(false))
            {
                AnimateResponse response = responses.Current;
                switch (response.ResponseCase)
                {
                    case AnimateResponse.ResponseOneofCase.Started:
                        Volatile.Write(ref _sessionStarted, 1);
                        _state.TryMoveTo(SessionState.Configured);
                        _onNotice(SessionNotice.Started(MessageConverter.Header(response.Started)));
                        break;
                    case AnimateResponse.ResponseOneofCase.Motion:
                        MessageConverter.CopyMotion(response.Motion, _scratch);
                        await _frames.PublishAsync(_scratch, cancel).ConfigureAwait(false);
                        if (_state.State == SessionState.Configured) _state.TryMoveTo(SessionState.Streaming);
                        break;
                    case AnimateResponse.ResponseOneofCase.Frame:
                        if (_images != null) _images.Add(MessageConverter.Image(response.Frame));
                        break;
                    case AnimateResponse.ResponseOneofCase.Event:
                        SessionNotice notice = MessageConverter.Notice(response.Event);
                        if (notice != null) _onNotice(notice);
                        break;
                    case AnimateResponse.ResponseOneofCase.Status:
                        SessionStatus status = response.Status;
                        _onNotice(status.Code == 0
                            ? new SessionNotice(SessionNoticeKind.Completed, status.AudioDurationS, status.Frames + " frames")
                            : SessionNotice.Failed(((StatusCode)status.Code).ToString(), status.Message, false));
                        break;
                }
            }
        }
    }
}
