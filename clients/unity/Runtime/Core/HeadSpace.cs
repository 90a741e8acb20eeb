namespace Facecast.Core
{
    /// <summary>
    /// The Unity frame a converted head pose is expressed in. Both are left-handed with +y up; they
    /// differ in which way the head faces at rest.
    /// </summary>
    public enum HeadSpace
    {
        /// <summary>
        /// The character's own frame: the head faces +z (Unity's forward) at rest, +x is the
        /// character's right. For head bones and rigs: the usual choice. From the contract's camera
        /// frame (the subject faces the camera) it is the mirror x → −x.
        /// </summary>
        CharacterForward = 0,

        /// <summary>
        /// The camera's frame: +x image right, +z into the screen, so the head faces −z at rest,
        /// towards a camera looking down +z. From the contract's frame it is the mirror z → −z.
        /// </summary>
        CameraFacing = 1,
    }
}
