using System;
using System.Collections.Generic;
using System.IO;

namespace Facecast.Core
{
    /// <summary>
    /// Reads the JSON motion clip that <c>facecast bake AUDIO -o clip.json</c> writes (format
    /// "facecast.motion", version 1; see the repository README, "The motion clip file"):
    /// <code>
    /// {format, version, fps, duration_s, blendshape_names: [52], viseme_names: [15], seed,
    ///  model_versions: [{component, name, version}], generator,
    ///  frames: [{t, pose: {pitch, yaw, roll, x, y, z}, blendshapes: [52], visemes: [15],
    ///            gaze: [4], voice_activity}]}
    /// </code>
    /// Every field is checked (kinds, array lengths against the names, times increasing); the first
    /// problem throws a <see cref="JsonParseException"/> that names the field and the frame. In Unity,
    /// pass a TextAsset's text to <see cref="Read"/>.
    /// </summary>
    public static class MotionClipReader
    {
        public const string Format = "facecast.motion";
        public const int Version = 1;

        public static MotionClip ReadFile(string path)
        {
            return Read(File.ReadAllText(path));
        }

        public static MotionClip Read(string json)
        {
            JsonValue root = JsonParser.Parse(json);
            string format = Get(root, "format", v => v.AsString());
            if (format != Format)
            {
                throw new JsonParseException(string.Format("not a motion clip: format is \"{0}\", expected \"{1}\"", format, Format));
            }
            long version = Get(root, "version", v => v.AsInteger());
            if (version != Version)
            {
                throw new JsonParseException(string.Format("motion clip version {0} is not supported (this reader knows {1})", version, Version));
            }
            long fps = Get(root, "fps", v => v.AsInteger());
            if (fps < 1 || fps > 1000) throw new JsonParseException(string.Format("\"fps\": {0} is out of range", fps));
            string[] blendshapeNames = Get(root, "blendshape_names", v => v.AsStringArray());
            string[] visemeNames = Get(root, "viseme_names", v => v.AsStringArray());
            List<MotionFrameData> frames = ReadFrames(Get(root, "frames", v => v), blendshapeNames.Length, visemeNames.Length);
            return new MotionClip((int)fps, Get(root, "duration_s", v => v.AsNumber()), blendshapeNames, visemeNames,
                                  Get(root, "seed", v => v.AsInteger()), Get(root, "model_versions", ReadModelVersions),
                                  Get(root, "generator", v => v.AsString()), frames);
        }

        /// <summary>
        /// The frames of a clip (or of any document that uses the clip's frame records): a frame's
        /// index is its optional "index" member, else its position. Times must increase.
        /// </summary>
        public static List<MotionFrameData> ReadFrames(JsonValue frames, int blendshapeCount, int visemeCount)
        {
            var result = new List<MotionFrameData>(frames.Count);
            for (int i = 0; i < frames.Count; i++)
            {
                var frame = new MotionFrameData(blendshapeCount, visemeCount);
                try
                {
                    ReadFrame(frames[i], i, frame);
                }
                catch (JsonParseException error)
                {
                    throw new JsonParseException(string.Format("frame {0}: {1}", i, error.Message));
                }
                if (i > 0 && frame.TimeS <= result[i - 1].TimeS)
                {
                    throw new JsonParseException(string.Format("frame {0}: time {1} does not increase", i, frame.TimeS));
                }
                result.Add(frame);
            }
            return result;
        }

        private static void ReadFrame(JsonValue record, int position, MotionFrameData into)
        {
            JsonValue index;
            into.Index = record.TryGet("index", out index) ? Get(record, "index", v => v.AsInteger()) : position;
            into.TimeS = Get(record, "t", v => v.AsNumber());
            JsonValue pose = Get(record, "pose", v => v);
            into.HeadPose = new HeadPoseData(
                Get(pose, "pitch", v => v.AsFloat()), Get(pose, "yaw", v => v.AsFloat()), Get(pose, "roll", v => v.AsFloat()),
                Get(pose, "x", v => v.AsFloat()), Get(pose, "y", v => v.AsFloat()), Get(pose, "z", v => v.AsFloat()));
            Get(record, "blendshapes", v => { v.ReadFloats(into.Blendshapes); return true; });
            Get(record, "visemes", v => { v.ReadFloats(into.Visemes); return true; });
            Get(record, "gaze", v => { v.ReadFloats(into.Gaze); return true; });
            into.VoiceActivity = Get(record, "voice_activity", v => v.AsFloat());
        }

        private static List<ModelVersionInfo> ReadModelVersions(JsonValue versions)
        {
            var result = new List<ModelVersionInfo>(versions.Count);
            for (int i = 0; i < versions.Count; i++)
            {
                JsonValue entry = versions[i];
                result.Add(new ModelVersionInfo(Get(entry, "component", v => v.AsString()), Get(entry, "name", v => v.AsString()),
                                                Get(entry, "version", v => v.AsString())));
            }
            return result;
        }

        // A member that must be present and readable by `read`; any error names the member.
        private static T Get<T>(JsonValue parent, string name, Func<JsonValue, T> read)
        {
            try
            {
                JsonValue value;
                if (!parent.TryGet(name, out value)) throw new JsonParseException("missing");
                return read(value);
            }
            catch (JsonParseException error)
            {
                throw new JsonParseException(string.Format("\"{0}\": {1}", name, error.Message));
            }
        }
    }
}
