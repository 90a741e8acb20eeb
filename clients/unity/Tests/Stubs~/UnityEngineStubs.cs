// Stand-ins for the members of UnityEngine (and uGUI) that the package and its sample use (see README.md).
using System;

namespace UnityEngine
{
    public class Object
    {
        public string name { get; set; }
        public static void Destroy(Object target) { }
        public static implicit operator bool(Object exists) { return exists != null; }
    }

    public class Component : Object
    {
        public Transform transform { get { return null; } }
        public T GetComponent<T>() { return default(T); }
        public bool CompareTag(string tag) { return false; }
    }

    public class Behaviour : Component
    {
        public bool enabled { get; set; }
    }

    public class MonoBehaviour : Behaviour
    {
        public void Invoke(string methodName, float time) { }
    }

    public class Transform : Component
    {
        public Quaternion localRotation { get; set; }
        public Vector3 localPosition { get; set; }
    }

    public class Collider : Component { }

    public struct Vector2
    {
        public Vector2(float x, float y) { }
    }

    public struct Vector3
    {
        public float x, y, z;
        public Vector3(float x, float y, float z) { this.x = x; this.y = y; this.z = z; }
        public static Vector3 zero { get { return new Vector3(); } }
        public static Vector3 Lerp(Vector3 a, Vector3 b, float t) { return a; }
        public static Vector3 operator +(Vector3 a, Vector3 b) { return a; }
    }

    public struct Quaternion
    {
        public Quaternion(float x, float y, float z, float w) { }
        public static Quaternion identity { get { return new Quaternion(); } }
        public static Quaternion Slerp(Quaternion a, Quaternion b, float t) { return a; }
        public static Quaternion SlerpUnclamped(Quaternion a, Quaternion b, float t) { return a; }
        public static Quaternion operator *(Quaternion a, Quaternion b) { return a; }
    }

    public struct Rect
    {
        public Rect(float x, float y, float width, float height) { }
    }

    public static class Mathf
    {
        public static int Clamp(int value, int min, int max) { return value; }
        public static float Clamp01(float value) { return value; }
        public static float Exp(float power) { return power; }
    }

    public static class Time
    {
        public static float deltaTime { get { return 0f; } }
        public static float unscaledTime { get { return 0f; } }
    }

    public static class Debug
    {
        public static void Log(object message, Object context) { }
        public static void LogWarning(object message, Object context) { }
        public static void LogError(object message, Object context) { }
    }

    public static class Screen
    {
        public static int width { get { return 0; } }
        public static int height { get { return 0; } }
    }

    public static class GUI
    {
        public static void Label(Rect position, string text) { }
    }

    public enum KeyCode { None = 0, Space = 32 }

    public static class Input
    {
        public static bool GetKeyDown(KeyCode key) { return false; }
    }

    public sealed class AudioClip : Object
    {
        public int samples { get { return 0; } }
        public int channels { get { return 0; } }
        public int frequency { get { return 0; } }
        public float length { get { return 0f; } }
        public bool GetData(float[] data, int offsetSamples) { return false; }
    }

    public sealed class AudioSource : Behaviour
    {
        public AudioClip clip { get; set; }
        public bool loop { get; set; }
        public void PlayScheduled(double time) { }
        public void Stop() { }
    }

    public static class AudioSettings
    {
        public static double dspTime { get { return 0; } }
    }

    public static class Microphone
    {
        public static string[] devices { get { return new string[0]; } }
        public static AudioClip Start(string deviceName, bool loop, int lengthSec, int frequency) { return null; }
        public static int GetPosition(string deviceName) { return 0; }
        public static void End(string deviceName) { }
    }

    public sealed class Mesh : Object
    {
        public int blendShapeCount { get { return 0; } }
        public string GetBlendShapeName(int shapeIndex) { return ""; }
    }

    public class Renderer : Component
    {
        public Material material { get; set; }
    }

    public sealed class SkinnedMeshRenderer : Renderer
    {
        public Mesh sharedMesh { get; set; }
        public void SetBlendShapeWeight(int index, float value) { }
    }

    public class Material : Object
    {
        public void SetTexture(string name, Texture value) { }
        public void SetTextureScale(string name, Vector2 value) { }
        public void SetTextureOffset(string name, Vector2 value) { }
    }

    public enum TextureFormat { RGB24 = 3, RGBA32 = 4 }

    public class Texture : Object
    {
        public virtual int width { get { return 0; } }
        public virtual int height { get { return 0; } }
    }

    public sealed class Texture2D : Texture
    {
        public Texture2D(int width, int height, TextureFormat textureFormat, bool mipChain) { }
        public TextureFormat format { get { return TextureFormat.RGBA32; } }
        public void LoadRawTextureData(byte[] data) { }
        public void Apply(bool updateMipmaps) { }
        public bool Reinitialize(int width, int height, TextureFormat format, bool hasMipMap) { return true; }
    }

    public static class ImageConversion
    {
        public static bool LoadImage(this Texture2D tex, byte[] data, bool markNonReadable) { return true; }
    }

    [AttributeUsage(AttributeTargets.Field)]
    public sealed class SerializeField : Attribute { }

    [AttributeUsage(AttributeTargets.Field)]
    public sealed class TooltipAttribute : Attribute { public TooltipAttribute(string tooltip) { } }

    [AttributeUsage(AttributeTargets.Field)]
    public sealed class HeaderAttribute : Attribute { public HeaderAttribute(string header) { } }

    [AttributeUsage(AttributeTargets.Field)]
    public sealed class RangeAttribute : Attribute { public RangeAttribute(float min, float max) { } }

    [AttributeUsage(AttributeTargets.Field)]
    public sealed class MinAttribute : Attribute { public MinAttribute(float min) { } }

    [AttributeUsage(AttributeTargets.Field)]
    public sealed class TextAreaAttribute : Attribute { }

    [AttributeUsage(AttributeTargets.Class)]
    public sealed class AddComponentMenu : Attribute { public AddComponentMenu(string menuName) { } }

    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
    public sealed class RequireComponent : Attribute { public RequireComponent(Type requiredComponent) { } }

    [AttributeUsage(AttributeTargets.Class)]
    public sealed class DisallowMultipleComponent : Attribute { }
}

namespace UnityEngine.UI
{
    public class RawImage : Behaviour
    {
        public Texture texture { get; set; }
        public Rect uvRect { get; set; }
    }
}
