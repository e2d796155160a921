namespace SriovPS.Native.Netlink;

/// <summary>
/// A netlink message that does not parse: a length that overruns its container, an attribute shorter
/// than its struct. The only exception the codec lets out of a decode, whatever the bytes.
/// </summary>
internal sealed class NetlinkDecodeException : Exception
{
    internal NetlinkDecodeException(string message)
        : base(message)
    {
    }
}
