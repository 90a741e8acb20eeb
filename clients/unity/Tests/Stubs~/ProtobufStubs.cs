// Stand-ins for the members of Google.Protobuf that the package uses (see README.md).
using System;
using System.Collections;
using System.Collections.Generic;

namespace Google.Protobuf
{
    public interface IMessage { }

    public interface IMessage<T> : IMessage where T : IMessage<T> { }

    public class MessageParser<T> where T : IMessage<T>
    {
        public T ParseFrom(byte[] data) { throw new NotImplementedException(); }
        public T ParseFrom(ByteString data) { throw new NotImplementedException(); }
        public T ParseFrom(System.IO.Stream input) { throw new NotImplementedException(); }
    }

    public static class MessageExtensions
    {
        public static byte[] ToByteArray(this IMessage message) { throw new NotImplementedException(); }
    }

    public sealed class ByteString
    {
        public static ByteString CopyFrom(byte[] bytes, int offset, int count) { throw new NotImplementedException(); }
        public static ByteString CopyFrom(params byte[] bytes) { throw new NotImplementedException(); }
        public byte[] ToByteArray() { throw new NotImplementedException(); }
        public int Length { get { return 0; } }
    }
}

namespace Google.Protobuf.Collections
{
    public sealed class RepeatedField<T> : IList<T>
    {
        public T this[int index] { get { throw new NotImplementedException(); } set { } }
        public int Count { get { return 0; } }
        public bool IsReadOnly { get { return false; } }
        public void Add(T item) { }
        public void Clear() { }
        public bool Contains(T item) { return false; }
        public void CopyTo(T[] array, int arrayIndex) { }
        public IEnumerator<T> GetEnumerator() { throw new NotImplementedException(); }
        IEnumerator IEnumerable.GetEnumerator() { return GetEnumerator(); }
        public int IndexOf(T item) { return -1; }
        public void Insert(int index, T item) { }
        public bool Remove(T item) { return false; }
        public void RemoveAt(int index) { }
    }
}

namespace Google.Protobuf.Reflection
{
    public sealed class OriginalNameAttribute : Attribute
    {
        public OriginalNameAttribute(string name) { }
    }
}
