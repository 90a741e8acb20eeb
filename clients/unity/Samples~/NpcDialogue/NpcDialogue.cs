using System;
using Facecast.Core;
using Facecast.Unity;
using UnityEngine;

namespace Facecast.Samples
{
    /// <summary>
    /// An NPC that says its lines one after another — when the player walks into its trigger, on a key,
    /// or from a UI button calling <see cref="SayNextLine"/> — with its face driven by Facecast and a
    /// subtitle shown while the voice is active (the stream's speech start/end events).
    /// </summary>
    public sealed class NpcDialogue : MonoBehaviour
    {
        [Serializable]
        public sealed class Line
        {
            [Tooltip("Load Type: Decompress On Load, so its samples can be read.")]
            public AudioClip voice;
            [TextArea] public string subtitle;
            public FaceEmotion emotion = FaceEmotion.Neutral;
            [Range(0f, 1f)] public float emotionIntensity = 1f;
        }

        [SerializeField] private FacecastSpeaker speaker;
        [SerializeField] private Line[] lines = new Line[0];
        [Tooltip("Uses the legacy Input Manager; with only the new Input System, call SayNextLine from your own input.")]
        [SerializeField] private KeyCode nextLineKey = KeyCode.Space;
        [SerializeField] private string playerTag = "Player";

        private int _next;
        private string _subtitle = "";
        private string _lineSubtitle = "";

        private void OnEnable()
        {
            speaker.NoticeReceived += OnNotice;
        }

        private void OnDisable()
        {
            speaker.NoticeReceived -= OnNotice;
        }

        private void Update()
        {
            if (Input.GetKeyDown(nextLineKey)) SayNextLine();
        }

        private void OnTriggerEnter(Collider other)
        {
            if (other.CompareTag(playerTag)) SayNextLine();
        }

        public void SayNextLine()
        {
            if (lines.Length == 0) return;
            Line line = lines[_next];
            _next = (_next + 1) % lines.Length;
            _lineSubtitle = line.subtitle;
            _subtitle = "";
            // Controls go with the session's start: the whole line is sent at once.
            speaker.InitialControls = new FaceControls { Emotion = line.emotion, EmotionIntensity = line.emotionIntensity };
            speaker.Speak(line.voice);
        }

        // Notices come on the main thread. Speech times are on the audio clock and may arrive before the
        // audio plays (the server runs ahead of playback), which is early enough for a subtitle.
        private void OnNotice(SessionNotice notice)
        {
            switch (notice.Kind)
            {
                case SessionNoticeKind.SpeechStart:
                    _subtitle = _lineSubtitle;
                    break;
                case SessionNoticeKind.EndOfAudio:
                    Invoke("ClearSubtitle", (float)notice.TimeS + 0.5f);
                    break;
                case SessionNoticeKind.Failed:
                    _subtitle = "(" + notice.Message + ")";
                    break;
            }
        }

        private void ClearSubtitle()
        {
            _subtitle = "";
        }

        private void OnGUI()
        {
            if (_subtitle.Length == 0) return;
            GUI.Label(new Rect(20, Screen.height - 70, Screen.width - 40, 50), _subtitle);
        }
    }
}
