namespace Facecast.Core
{
    /// <summary>The six kinds of JSON value.</summary>
    public enum JsonKind
    {
        Null = 0,
        Boolean = 1,
        Number = 2,
        String = 3,
        Array = 4,
        Object = 5,
    }
}
