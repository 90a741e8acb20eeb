using Facecast.Core;
using UnityEngine;

namespace Facecast.Unity
{
    /// <summary>
    /// Turns a head (bone or object) by the stream's head pose, converted to Unity's left-handed frame
    /// by <see cref="HeadPoseConverter"/>. The rotation is applied in the parent's frame on top of the
    /// rest pose (localRotation = pose · rest), so put the driver on a transform whose parent has the
    /// character's axes (+z forward, +y up) — add an empty pivot above an oddly-oriented bone.
    /// </summary>
    [AddComponentMenu("Facecast/Head Pose Driver")]
    public sealed class HeadPoseDriver : MonoBehaviour
    {
        [Tooltip("The head to turn; this transform if empty.")]
        [SerializeField] private Transform target;

        [Tooltip("CharacterForward: the head faces +z at rest (rigs). CameraFacing: it faces -z, towards a camera looking down +z.")]
        [SerializeField] private HeadSpace space = HeadSpace.CharacterForward;

        [Tooltip("0 keeps the head still, 1 is the stream's motion, 2 doubles it.")]
        [Range(0f, 2f)]
        [SerializeField] private float rotationScale = 1f;

        [Tooltip("Also move the head (the stream's translation, in face widths).")]
        [SerializeField] private bool applyTranslation;

        [Tooltip("Metres per face width (outer eye corners × 1.6; about 0.15 m for an adult).")]
        [SerializeField] private float faceWidthMetres = HeadPoseConverter.DefaultFaceWidthMetres;

        [Tooltip("Time constant of exponential smoothing, seconds; 0 for none. The stream is already smooth: " +
                 "use it to calm a rig, at the cost of lag.")]
        [Min(0f)]
        [SerializeField] private float smoothingTimeS;

        private Quaternion _restRotation = Quaternion.identity;
        private Vector3 _restPosition;
        private Quaternion _rotation = Quaternion.identity;
        private Vector3 _position;

        private void Awake()
        {
            if (target == null) target = transform;
            CaptureRest();
        }

        /// <summary>Takes the target's current local pose as the rest pose the stream moves from.</summary>
        public void CaptureRest()
        {
            _restRotation = target.localRotation;
            _restPosition = target.localPosition;
        }

        public void Apply(HeadPoseData pose)
        {
            EnginePose converted = HeadPoseConverter.Convert(pose, space, faceWidthMetres);
            var rotation = new Quaternion(converted.QuaternionX, converted.QuaternionY, converted.QuaternionZ, converted.QuaternionW);
            if (rotationScale != 1f) rotation = Quaternion.SlerpUnclamped(Quaternion.identity, rotation, rotationScale);
            var position = new Vector3(converted.PositionX, converted.PositionY, converted.PositionZ);
            if (smoothingTimeS > 0f)
            {
                // Frame-rate independent: the same time constant at 30 and 144 Hz.
                float follow = 1f - Mathf.Exp(-Time.deltaTime / smoothingTimeS);
                _rotation = Quaternion.Slerp(_rotation, rotation, follow);
                _position = Vector3.Lerp(_position, position, follow);
                rotation = _rotation;
                position = _position;
            }
            target.localRotation = rotation * _restRotation;
            if (applyTranslation) target.localPosition = _restPosition + position;
        }

        public void ResetToRest()
        {
            _rotation = Quaternion.identity;
            _position = Vector3.zero;
            target.localRotation = _restRotation;
            target.localPosition = _restPosition;
        }
    }
}
