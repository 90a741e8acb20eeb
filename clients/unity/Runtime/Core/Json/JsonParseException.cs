using System;

namespace Facecast.Core
{
    /// <summary>Text that is not strict JSON, or JSON of the wrong shape; the message says where.</summary>
    public sealed class JsonParseException : FormatException
    {
        public JsonParseException(string message) : base(message)
        {
        }
    }
}
