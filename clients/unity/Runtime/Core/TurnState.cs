namespace Facecast.Core
{
    /// <summary>Where a conversation stands, as the server's state events report it.</summary>
    public enum TurnState
    {
        /// <summary>Nobody has spoken for a while (also before the first event).</summary>
        Idle = 0,
        /// <summary>The face is speaking its own line.</summary>
        Speaking = 1,
        /// <summary>The face is listening to the other party.</summary>
        Listening = 2,
    }
}
