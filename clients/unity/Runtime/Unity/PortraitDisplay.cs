using Facecast.Core;
using UnityEngine;

namespace Facecast.Unity
{
    /// <summary>
    /// Shows the server's rendered frames of the avatar on a UI RawImage (needs the uGUI package) or on
    /// a Renderer's material. One texture is made once and refilled for every frame: JPEG/PNG through
    /// Texture2D.LoadImage, raw RGBA through LoadRawTextureData. The contract's RGBA rows run top to
    /// bottom while Unity's textures run bottom to top, so RGBA is flipped by the UVs, not by copying.
    /// </summary>
    [AddComponentMenu("Facecast/Portrait Display")]
    public sealed class PortraitDisplay : MonoBehaviour
    {
#if FACECAST_UGUI
        [SerializeField] private UnityEngine.UI.RawImage rawImage;
#endif
        [Tooltip("Used when no RawImage is set: the texture goes on this renderer's material.")]
        [SerializeField] private Renderer targetRenderer;

        [SerializeField] private string textureProperty = "_MainTex";

        private Texture2D _texture;
        private Material _material;

        /// <summary>The texture frames are loaded into (null before the first frame).</summary>
        public Texture2D Texture { get { return _texture; } }

        public void Show(RenderedImage image)
        {
            bool flipRows;
            switch (image.Encoding)
            {
                case ImageEncoding.Jpeg:
                case ImageEncoding.Png:
                    if (_texture == null) _texture = new Texture2D(2, 2, TextureFormat.RGB24, false);
                    if (!_texture.LoadImage(image.Data, false))
                    {
                        Debug.LogWarning("Facecast: a rendered frame could not be decoded", this);
                        return;
                    }
                    flipRows = false;
                    break;
                case ImageEncoding.Rgba:
                    if (image.Data.Length != image.Width * image.Height * 4)
                    {
                        Debug.LogWarning("Facecast: an RGBA frame's size does not match its width and height", this);
                        return;
                    }
                    EnsureRgbaTexture(image.Width, image.Height);
                    _texture.LoadRawTextureData(image.Data);
                    _texture.Apply(false);
                    flipRows = true;
                    break;
                default:
                    return;
            }
            Bind(flipRows);
        }

        private void EnsureRgbaTexture(int width, int height)
        {
            if (_texture == null)
            {
                _texture = new Texture2D(width, height, TextureFormat.RGBA32, false);
            }
            else if (_texture.width != width || _texture.height != height || _texture.format != TextureFormat.RGBA32)
            {
                _texture.Reinitialize(width, height, TextureFormat.RGBA32, false);
            }
        }

        private void Bind(bool flipRows)
        {
#if FACECAST_UGUI
            if (rawImage != null)
            {
                rawImage.texture = _texture;
                rawImage.uvRect = flipRows ? new Rect(0f, 1f, 1f, -1f) : new Rect(0f, 0f, 1f, 1f);
                return;
            }
#endif
            if (targetRenderer == null) return;
            if (_material == null) _material = targetRenderer.material;   // an instance of its own, made once
            _material.SetTexture(textureProperty, _texture);
            _material.SetTextureScale(textureProperty, new Vector2(1f, flipRows ? -1f : 1f));
            _material.SetTextureOffset(textureProperty, new Vector2(0f, flipRows ? 1f : 0f));
        }

        private void OnDestroy()
        {
            if (_texture != null) Destroy(_texture);
            if (_material != null) Destroy(_material);
        }
    }
}
