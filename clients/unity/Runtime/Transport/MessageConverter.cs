using System;
using System.Collections.Generic;
using Facecast.Core;
using Facecast.V1;
using Google.Protobuf;
using Google.Protobuf.Collections;

namespace Facecast.Transport
{
    /// <summary>
    /// Translates between the generated protobuf classes and Core's engine-neutral types, so nothing
    /// above the transport sees protobuf. The frame copy writes into a preallocated
    /// MotionFrameData (no allocation beyond what protobuf itself did to parse the message).
    /// </summary>
    public static class MessageConverter
    {
        public static void CopyMotion(MotionFrame source, MotionFrameData into)
        {
            into.Index = (long)source.Index;
            into.TimeS = source.TimeS;
            HeadPose pose = source.HeadPose ?? EmptyPose;
            into.HeadPose = new HeadPoseData(pose.PitchDeg, pose.YawDeg, pose.RollDeg, pose.X, pose.Y, pose.Z);
            CopyFloats(source.Blendshapes, into.Blendshapes, "blendshapes");
            CopyFloats(source.Visemes, into.Visemes, "visemes");
            Gaze gaze = source.Gaze;
            into.Gaze[MotionFrameData.GazeLeftYaw] = gaze != null && gaze.Left != null ? gaze.Left.YawDeg : 0f;
            into.Gaze[MotionFrameData.GazeLeftPitch] = gaze != null && gaze.Left != null ? gaze.Left.PitchDeg : 0f;
            into.Gaze[MotionFrameData.GazeRightYaw] = gaze != null && gaze.Right != null ? gaze.Right.YawDeg : 0f;
            into.Gaze[MotionFrameData.GazeRightPitch] = gaze != null && gaze.Right != null ? gaze.Right.PitchDeg : 0f;
            into.VoiceActivity = source.VoiceActivity;
        }

        public static SessionHeader Header(SessionStarted started)
        {
            var versions = new List<ModelVersionInfo>();
            foreach (ModelVersion version in started.ModelVersions)
            {
                versions.Add(new ModelVersionInfo(version.Component, version.Name, version.Version));
            }
            var blendshapes = new string[started.BlendshapeNames.Count];
            started.BlendshapeNames.CopyTo(blendshapes, 0);
            var visemes = new string[started.VisemeNames.Count];
            started.VisemeNames.CopyTo(visemes, 0);
            return new SessionHeader(started.SessionId, blendshapes, visemes, (int)started.Fps, started.LookaheadS, versions.AsReadOnly());
        }

        /// <summary>The in-band event as a notice; null for a kind this client does not know (newer server).</summary>
        public static SessionNotice Notice(Event message)
        {
            switch (message.Type)
            {
                case EventType.SpeechStart: return new SessionNotice(SessionNoticeKind.SpeechStart, message.TimeS, message.Message);
                case EventType.SpeechEnd: return new SessionNotice(SessionNoticeKind.SpeechEnd, message.TimeS, message.Message);
                case EventType.EndOfAudio: return new SessionNotice(SessionNoticeKind.EndOfAudio, message.TimeS, message.Message);
                case EventType.Warning: return new SessionNotice(SessionNoticeKind.Warning, message.TimeS, message.Message);
                case EventType.StateSpeaking: return new SessionNotice(SessionNoticeKind.StateSpeaking, message.TimeS, message.Message);
                case EventType.StateListening: return new SessionNotice(SessionNoticeKind.StateListening, message.TimeS, message.Message);
                case EventType.StateIdle: return new SessionNotice(SessionNoticeKind.StateIdle, message.TimeS, message.Message);
                case EventType.Interrupted: return new SessionNotice(SessionNoticeKind.Interrupted, message.TimeS, message.Message);
                default: return null;
            }
        }

        public static RenderedImage Image(RenderedFrame frame)
        {
            return new RenderedImage((long)frame.Index, frame.TimeS, (Core.ImageEncoding)(int)frame.Encoding,
                                     (int)frame.Width, (int)frame.Height, frame.Data.ToByteArray());
        }

        public static AnimateRequest Config(SessionSettings settings)
        {
            var config = new SessionConfig
            {
                AvatarId = settings.AvatarId ?? "",
                Fps = (uint)Math.Max(0, settings.Fps),
                AudioFormat = new AudioFormat { Encoding = AudioEncoding.PcmS16Le, SampleRateHz = (uint)settings.SampleRateHz },
                Seed = unchecked((ulong)settings.Seed),
                Output = settings.RenderedFrames ? Output.LatentsAndFrames : Output.Latents,
                MouthModel = settings.MouthModel ?? "",
                IdleS = settings.IdleS,
                FrameSize = (uint)Math.Max(0, settings.FrameSize),
                Framing = (V1.Framing)(int)settings.Framing,
                Conversation = settings.Conversation,
            };
            if (settings.Controls != null) config.Controls = Controls(settings.Controls);
            return new AnimateRequest { Config = config };
        }

        /// <summary>PCM16 bytes [0, count) of the buffer as one AudioChunk (copied: the buffer is reused).</summary>
        public static AnimateRequest Audio(byte[] pcm16, int count)
        {
            return new AnimateRequest { Audio = new AudioChunk { Data = ByteString.CopyFrom(pcm16, 0, count) } };
        }

        /// <summary>PCM16 bytes [0, count) of the other party's voice (a conversation's listen stream), copied.</summary>
        public static AnimateRequest ListenAudio(byte[] pcm16, int count)
        {
            return new AnimateRequest { ListenAudio = new AudioChunk { Data = ByteString.CopyFrom(pcm16, 0, count) } };
        }

        /// <summary>Barge-in; atS null: where the listen stream has reached (the server's default).</summary>
        public static AnimateRequest Interrupt(double? atS)
        {
            var interrupt = new V1.Interrupt();
            if (atS.HasValue) interrupt.AtS = atS.Value;
            return new AnimateRequest { Interrupt = interrupt };
        }

        public static AnimateRequest ControlUpdate(FaceControls controls, float? transitionS)
        {
            var update = new V1.ControlUpdate { Controls = Controls(controls) };
            if (transitionS.HasValue) update.TransitionS = transitionS.Value;
            return new AnimateRequest { Control = update };
        }

        public static AnimateRequest EndOfAudio()
        {
            return new AnimateRequest { EndOfAudio = new V1.EndOfAudio() };
        }

        // Only set fields are sent: proto3 `optional` carries "not set" on the wire.
        private static V1.Controls Controls(FaceControls source)
        {
            var controls = new V1.Controls { Emotion = (Emotion)(int)source.Emotion };
            if (source.GazeYawDeg.HasValue) controls.GazeYawDeg = source.GazeYawDeg.Value;
            if (source.GazePitchDeg.HasValue) controls.GazePitchDeg = source.GazePitchDeg.Value;
            if (source.HeadDistance.HasValue) controls.HeadDistance = source.HeadDistance.Value;
            if (source.EmotionIntensity.HasValue) controls.EmotionIntensity = source.EmotionIntensity.Value;
            if (source.MotionIntensity.HasValue) controls.MotionIntensity = source.MotionIntensity.Value;
            if (source.Attentiveness.HasValue) controls.Attentiveness = source.Attentiveness.Value;
            if (source.NodRate.HasValue) controls.NodRate = source.NodRate.Value;
            return controls;
        }

        private static readonly HeadPose EmptyPose = new HeadPose();

        // The header promised these sizes; a frame that breaks the promise is a server bug, reported
        // loudly instead of shifting every weight onto the wrong shape.
        private static void CopyFloats(RepeatedField<float> source, float[] into, string what)
        {
            if (source.Count != into.Length)
            {
                throw new InvalidOperationException(string.Format("a frame carries {0} {1}, the stream header announced {2}", source.Count, what, into.Length));
            }
            for (int i = 0; i < into.Length; i++) into[i] = source[i];
        }
    }
}
