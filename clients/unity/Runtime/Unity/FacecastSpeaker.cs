using System;
using System.Collections.Concurrent;
using Facecast.Core;
using Facecast.Transport;
using UnityEngine;

namespace Facecast.Unity
{
    /// <summary>
    /// Makes a character speak: streams audio (a voice-line AudioClip, or the microphone) to the server
    /// in 20 ms PCM16 chunks, and plays the motion that comes back against the audio clock:
    /// AudioSettings.dspTime from the scheduled start of the clip, or from the microphone's first
    /// samples minus a delay. In a conversation (<see cref="StartConversation"/>) the player's microphone goes
    /// to the server as the listen stream the whole time — the NPC listens to it, and it sets the session's
    /// clock — and voice lines (<see cref="Speak(AudioClip)"/>) go on the NPC's own stream, topped up with
    /// silence in between (<see cref="ConversationStreams"/>); <see cref="Interrupt"/> cuts a line off. Frames arrive on a network thread and reach the main thread through a bounded
    /// <see cref="FrameHandoff"/>; Update moves them into a <see cref="JitterBuffer"/>, samples it at
    /// the audio time and drives the rig. The per-frame path allocates nothing.
    /// </summary>
    [AddComponentMenu("Facecast/Facecast Speaker")]
    [RequireComponent(typeof(AudioSource))]
    public sealed class FacecastSpeaker : MonoBehaviour
    {
        public enum AudioInput
        {
            Clip = 0,
            Microphone = 1,
        }

        private const int ChunkMs = 20;
        private const int HandoffCapacity = 64;
        private const int BufferCapacity = 256;
        private const int ImageCapacity = 4;
        private const double ScheduleAheadS = 0.05;   // PlayScheduled needs a moment to start sample-exact

        [SerializeField] private FacecastClient client;

        [Header("Audio")]
        [SerializeField] private AudioInput input = AudioInput.Clip;
        [Tooltip("The voice line for Speak() without an argument and for Speak On Start. Load Type must be Decompress On Load.")]
        [SerializeField] private AudioClip clip;
        [SerializeField] private bool speakOnStart;
        [Tooltip("Empty: the default microphone.")]
        [SerializeField] private string microphoneDevice = "";
        [SerializeField] private int microphoneRateHz = 16000;
        [Tooltip("How far the face trails the live microphone, seconds: the server's look-ahead plus the network round trip.")]
        [SerializeField] private float microphoneDelayS = 0.25f;
        [Tooltip("Rate of the audio sent, 8000..48000 Hz. 0: the source's own rate, so nothing is resampled here.")]
        [SerializeField] private int sendRateHz;

        [Header("Session")]
        [Range(1, 60)]
        [SerializeField] private int fps = 30;
        [SerializeField] private long seed;
        [Tooltip("Motion buffered ahead before a clip starts playing, seconds.")]
        [SerializeField] private float prebufferS = 0.15f;
        [SerializeField] private bool renderedFrames;
        [SerializeField] private string avatarId = "";
        [Tooltip("Retries of a session start that met a lost, draining or full server (never of a started session).")]
        [SerializeField] private int maxRetries = 4;

        [Header("Rig")]
        [SerializeField] private BlendshapeDriver blendshapes;
        [SerializeField] private HeadPoseDriver head;
        [SerializeField] private PortraitDisplay portrait;

        /// <summary>Every session notice (header, speech start/end, turn states, end, failure), on the main thread.</summary>
        public event Action<SessionNotice> NoticeReceived;

        /// <summary>The motion applied this frame, on the main thread, for rigs of your own (2D mouths, Live Link).
        /// The object is reused: copy what you keep.</summary>
        public event Action<MotionFrameData> FrameApplied;

        private AudioSource _audio;
        private JitterBuffer _buffer;
        private MotionFrameData _incoming;
        private MotionFrameData _sample;
        private Action<byte[], int> _sendChunk;
        private Action<float[], int> _pushMicrophone;
        private Action<byte[], int> _sendListenChunk;
        private Action<byte[], int> _sendLineChunk;
        private readonly TurnTracker _turn = new TurnTracker();
        private ReconnectPolicy _reconnect;

        // One session's worth of state; replaced as a whole so a cancelled session's late frames and
        // notices (its network thread may still be finishing) cannot leak into the next one.
        private AnimateSession _session;
        private FrameHandoff _handoff;
        private RenderedImageQueue _images;
        private ConcurrentQueue<SessionNotice> _notices;
        private PcmChunker _chunker;
        private MicrophoneFeed _microphone;
        private AudioClip _speaking;
        private bool _framesArrived;
        private bool _allFramesArrived;
        private double _playStartDsp = double.NaN;
        private double _liveStartDsp = double.NaN;
        private float _retryAt = -1f;
        private ConversationStreams _conversation;   // non-null while a conversation runs
        private byte[] _silence;                     // one chunk of PCM16 zeros for the own stream
        private double _lineStartS = double.NaN;     // session time of a queued line not yet scheduled to play

        public SessionHeader Header { get; private set; }

        /// <summary>Controls the next session starts with (emotion, gaze, head distance, motion intensity);
        /// null for the server's defaults. Set before Speak: a clip's audio is sent at once, so an
        /// update after it would only apply at its end.</summary>
        public FaceControls InitialControls { get; set; }

        public SessionState State { get { return _session == null ? SessionState.Idle : _session.State.State; } }

        /// <summary>The conversation's turn (speaking, listening, idle) as the server reports it; its Changed
        /// event runs on the main thread.</summary>
        public TurnTracker Turn { get { return _turn; } }

        /// <summary>True while a conversation runs (<see cref="StartConversation"/>).</summary>
        public bool InConversation { get { return _conversation != null; } }

        /// <summary>The audio time the face shows now, seconds (NaN while nothing plays).</summary>
        public double AudioTimeS { get; private set; }

        private void Awake()
        {
            _audio = GetComponent<AudioSource>();
            _buffer = new JitterBuffer(BufferCapacity);
            _incoming = new MotionFrameData();
            _sample = new MotionFrameData();
            _sendChunk = SendChunk;
            _pushMicrophone = PushMicrophone;
            _sendListenChunk = SendListenChunk;
            _sendLineChunk = SendLineChunk;
            _reconnect = new ReconnectPolicy(TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(8), 2.0, 0.3,
                                             Math.Max(0, maxRetries), new System.Random());
            AudioTimeS = double.NaN;
        }

        private void Start()
        {
            if (!speakOnStart) return;
            if (input == AudioInput.Microphone) StartMicrophone();
            else if (clip != null) Speak(clip);
        }

        /// <summary>Speaks the inspector's clip.</summary>
        public void Speak()
        {
            Speak(clip);
        }

        /// <summary>
        /// Sends the whole voice line at once (the server does not pace, so its motion comes back
        /// faster than real time), then starts playing it when enough motion is buffered.
        /// </summary>
        public void Speak(AudioClip voiceLine)
        {
            if (voiceLine == null) throw new ArgumentNullException("voiceLine");
            float[] samples = ReadSamples(voiceLine);
            if (_conversation != null)
            {
                SayInConversation(voiceLine, samples);
                return;
            }
            StopSpeaking();
            int rate = SendRate(voiceLine.frequency);
            OpenSession(rate);
            _speaking = voiceLine;
            _chunker = new PcmChunker(voiceLine.frequency, voiceLine.channels, rate, ChunkMs, _sendChunk);
            _chunker.Push(samples, 0, voiceLine.samples);
            _chunker.Flush();
            _session.EndAudio();
        }

        /// <summary>Streams the microphone live until <see cref="StopSpeaking"/>; the face trails it by the delay.</summary>
        public void StartMicrophone()
        {
            StopSpeaking();
            _microphone = new MicrophoneFeed(microphoneDevice, microphoneRateHz);
            int rate = SendRate(_microphone.RateHz);
            OpenSession(rate);
            _chunker = new PcmChunker(_microphone.RateHz, _microphone.Channels, rate, ChunkMs, _sendChunk);
        }

        /// <summary>
        /// Starts a conversation: one long session in which the microphone streams as the listen stream (the
        /// NPC listens, nods, looks at the player) and <see cref="Speak(AudioClip)"/> adds the NPC's lines.
        /// The face trails the microphone by the delay. End it with <see cref="EndConversation"/>.
        /// </summary>
        public void StartConversation()
        {
            StopSpeaking();
            _microphone = new MicrophoneFeed(microphoneDevice, microphoneRateHz);
            int rate = SendRate(_microphone.RateHz);
            _conversation = new ConversationStreams(rate);
            _silence = new byte[Math.Max(2, rate * ChunkMs / 1000 * 2)];
            OpenSession(rate, true);
            _chunker = new PcmChunker(_microphone.RateHz, _microphone.Channels, rate, ChunkMs, _sendListenChunk);
        }

        /// <summary>Barge-in: the NPC stops its line now (its mouth eases shut within 0.1 s) and listens.</summary>
        public void Interrupt()
        {
            if (_conversation == null || _session == null) return;
            _conversation.Interrupt();
            _session.Interrupt();
            _audio.Stop();
            _lineStartS = double.NaN;
        }

        /// <summary>Ends the conversation normally: the last frames still arrive and play.</summary>
        public void EndConversation()
        {
            EndMicrophone();
        }

        /// <summary>Changes emotion, gaze, head distance or motion intensity mid-stream, with a smooth transition.</summary>
        public void UpdateControls(FaceControls controls, float? transitionS = null)
        {
            if (_session != null && _session.State.IsActive) _session.UpdateControls(controls, transitionS);
        }

        /// <summary>Ends the live microphone session normally: the last frames still arrive and play.</summary>
        public void EndMicrophone()
        {
            if (_microphone == null || _session == null) return;
            ReadMicrophone();
            _chunker.Flush();
            _session.EndAudio();
            _microphone.Stop();
            _microphone = null;
        }

        /// <summary>Stops everything now: the call, the audio, the microphone.</summary>
        public void StopSpeaking()
        {
            if (_session != null)
            {
                _session.Dispose();
                _session = null;
            }
            if (_microphone != null)
            {
                _microphone.Stop();
                _microphone = null;
            }
            _audio.Stop();
            _buffer.Clear();
            _handoff = null;
            _images = null;
            _notices = null;
            _speaking = null;
            _chunker = null;
            _playStartDsp = double.NaN;
            _liveStartDsp = double.NaN;
            _retryAt = -1f;
            _conversation = null;
            _lineStartS = double.NaN;
            _turn.Reset();
            AudioTimeS = double.NaN;
        }

        private void OnDisable()
        {
            StopSpeaking();
        }

        private int SendRate(int sourceRateHz)
        {
            return sendRateHz > 0 ? sendRateHz : Mathf.Clamp(sourceRateHz, PcmChunker.MinRateHz, PcmChunker.MaxRateHz);
        }

        private static float[] ReadSamples(AudioClip voiceLine)
        {
            var samples = new float[voiceLine.samples * voiceLine.channels];
            if (!voiceLine.GetData(samples, 0))
            {
                throw new InvalidOperationException("cannot read the samples of " + voiceLine.name + ": set its Load Type to Decompress On Load");
            }
            return samples;
        }

        // A line in a conversation goes on the own stream where it stands (never behind the microphone), all
        // at once, and plays when the face's clock reaches its start.
        private void SayInConversation(AudioClip voiceLine, float[] samples)
        {
            _audio.Stop();
            _speaking = voiceLine;
            _lineStartS = _conversation.NextLineStartS;
            var line = new PcmChunker(voiceLine.frequency, voiceLine.channels, _conversation.SampleRateHz, ChunkMs, _sendLineChunk);
            line.Push(samples, 0, voiceLine.samples);
            line.Flush();
        }

        private void OpenSession(int sampleRateHz, bool conversation = false)
        {
            if (client == null) throw new InvalidOperationException("FacecastSpeaker needs a FacecastClient");
            _handoff = new FrameHandoff(HandoffCapacity);
            _images = renderedFrames ? new RenderedImageQueue(ImageCapacity) : null;
            var notices = new ConcurrentQueue<SessionNotice>();
            _notices = notices;
            _framesArrived = false;
            _allFramesArrived = false;
            Header = null;
            var settings = new SessionSettings
            {
                Fps = fps, Seed = seed, SampleRateHz = sampleRateHz, AvatarId = avatarId, RenderedFrames = renderedFrames,
                Controls = InitialControls, Conversation = conversation,
            };
            _session = new AnimateSession(client.Api, client.CallHeaders(), _handoff, _images, notices.Enqueue);
            _session.Start(settings);
        }

        private void SendChunk(byte[] pcm16, int count)
        {
            _session.SendAudio(pcm16, count);
        }

        private void SendLineChunk(byte[] pcm16, int count)
        {
            _session.SendAudio(pcm16, count);
            _conversation.OwnSent(count / 2);
        }

        // The microphone sets the pace: after each of its chunks the own stream is topped up with silence,
        // so the server, which emits frames up to where both streams have reached, never waits on it.
        private void SendListenChunk(byte[] pcm16, int count)
        {
            _session.SendListenAudio(pcm16, count);
            int missing = _conversation.ListenSent(count / 2);
            while (missing > 0)
            {
                int samples = Math.Min(missing, _silence.Length / 2);
                _session.SendAudio(_silence, samples * 2);
                _conversation.OwnSent(samples);
                missing -= samples;
            }
        }

        private void PushMicrophone(float[] block, int frames)
        {
            _chunker.Push(block, 0, frames);
        }

        private void Update()
        {
            HandleNotices();
            RetryWhenDue();
            if (_microphone != null) ReadMicrophone();
            ScheduleLine();
            MoveArrivedFrames();
            double time = CurrentAudioTime();
            AudioTimeS = time;
            if (double.IsNaN(time)) return;
            if (_buffer.TrySample(time, _sample))
            {
                if (blendshapes != null) blendshapes.Apply(_sample);
                if (head != null) head.Apply(_sample.HeadPose);
                Action<MotionFrameData> applied = FrameApplied;
                if (applied != null) applied(_sample);
                _buffer.DiscardBefore(time);
            }
            if (_images != null && portrait != null)
            {
                RenderedImage image = _images.TakeLatestDue(time);
                if (image != null) portrait.Show(image);
            }
        }

        // Only as many frames as the buffer holds: the rest wait in the handoff, and beyond that the
        // network thread waits too, so a long clip never piles up in memory.
        private void MoveArrivedFrames()
        {
            if (_handoff == null) return;
            while (!_buffer.IsFull && _handoff.TryTake(_incoming))
            {
                _buffer.Add(_incoming);
                _framesArrived = true;
            }
        }

        private void ReadMicrophone()
        {
            _microphone.Read(_pushMicrophone);
            // The stream's time 0 is its first sample: anchor the live clock there, not at Microphone.Start,
            // which may take a while to deliver anything.
            if (double.IsNaN(_liveStartDsp) && _microphone.FramesRead > 0)
            {
                _liveStartDsp = AudioSettings.dspTime - (double)_microphone.FramesRead / _microphone.RateHz;
            }
        }

        // A conversation's line plays at its place on the session clock, which the face shows `delay` late.
        private void ScheduleLine()
        {
            if (double.IsNaN(_lineStartS) || double.IsNaN(_liveStartDsp)) return;
            double start = _liveStartDsp + _lineStartS + microphoneDelayS;
            _audio.clip = _speaking;
            _audio.PlayScheduled(Math.Max(start, AudioSettings.dspTime + ScheduleAheadS));
            _lineStartS = double.NaN;
        }

        private double CurrentAudioTime()
        {
            if (!double.IsNaN(_liveStartDsp))
            {
                // Runs on after EndMicrophone, so the last frames play out.
                return Header == null ? double.NaN : AudioSettings.dspTime - _liveStartDsp - microphoneDelayS;
            }
            if (_speaking == null) return double.NaN;
            if (double.IsNaN(_playStartDsp))
            {
                bool buffered = _framesArrived && (_buffer.LastTimeS >= prebufferS || _buffer.IsFull || _allFramesArrived);
                if (!buffered) return double.NaN;
                _playStartDsp = AudioSettings.dspTime + ScheduleAheadS;
                _audio.clip = _speaking;
                _audio.PlayScheduled(_playStartDsp);
            }
            // Before the scheduled start the first frame holds; after the clip it is the clip's end.
            return Math.Min(Math.Max(0.0, AudioSettings.dspTime - _playStartDsp), _speaking.length);
        }

        private void HandleNotices()
        {
            ConcurrentQueue<SessionNotice> notices = _notices;
            SessionNotice notice;
            // A handler may start another session (Speak in NoticeReceived): stop at once if it did.
            while (notices != null && notices == _notices && notices.TryDequeue(out notice))
            {
                switch (notice.Kind)
                {
                    case SessionNoticeKind.Started:
                        Header = notice.Header;
                        _reconnect.Reset();
                        if (blendshapes != null) blendshapes.Bind(Header.BlendshapeNames, Header.VisemeNames);
                        break;
                    case SessionNoticeKind.EndOfAudio:
                        _allFramesArrived = true;
                        break;
                    case SessionNoticeKind.Failed:
                        OnFailed(notice);
                        break;
                    default:
                        _turn.Apply(notice);
                        break;
                }
                Action<SessionNotice> received = NoticeReceived;
                if (received != null) received(notice);
            }
        }

        // A session the server never started (its node lost, draining or at capacity: see StartRetryRule)
        // is tried again with back-off and jitter, and a balancer sends it to another node; one that had
        // started cannot resume its audio, so it is reported instead (Retryable is false then).
        private void OnFailed(SessionNotice notice)
        {
            TimeSpan delay;
            if (notice.Retryable && _reconnect.TryNextDelay(out delay))
            {
                _retryAt = Time.unscaledTime + (float)delay.TotalSeconds;
                Debug.LogWarning(string.Format("Facecast: {0}; retrying in {1:0.0} s", notice, delay.TotalSeconds), this);
            }
            else
            {
                Debug.LogError("Facecast: " + notice, this);
                if (_microphone != null)
                {
                    _microphone.Stop();
                    _microphone = null;
                }
            }
        }

        private void RetryWhenDue()
        {
            if (_retryAt < 0f || Time.unscaledTime < _retryAt) return;
            _retryAt = -1f;
            if (_conversation != null) StartConversation();
            else if (_microphone != null) StartMicrophone();
            else if (_speaking != null) Speak(_speaking);
        }
    }
}
