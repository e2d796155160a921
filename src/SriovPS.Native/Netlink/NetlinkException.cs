using System.Text;

namespace SriovPS.Native.Netlink;

/// <summary>
/// The kernel refused a netlink request (an <c>NLMSG_ERROR</c> with a negative code), or the socket
/// itself failed. Carries the errno and, when the kernel gave one, its extended-ack text, which names
/// the exact problem ("VF index out of range").
/// </summary>
internal sealed class NetlinkException : Exception
{
    internal NetlinkException(int errno, string operation, string? extendedAck = null, int? attributeOffset = null)
        : base(Compose(errno, operation, extendedAck))
    {
        Errno = errno;
        Operation = operation;
        ExtendedAck = extendedAck;
        AttributeOffset = attributeOffset;
    }

    /// <summary>The positive errno value (EINVAL is 22).</summary>
    public int Errno { get; }

    /// <summary>What was asked: <c>RTM_GETLINK</c>, or the socket call that failed.</summary>
    public string Operation { get; }

    /// <summary>The kernel's own explanation (NLMSGERR_ATTR_MSG), when it sent one.</summary>
    public string? ExtendedAck { get; }

    /// <summary>Offset in the request of the attribute the kernel blamed (NLMSGERR_ATTR_OFFS).</summary>
    public int? AttributeOffset { get; }

    private static string Compose(int errno, string operation, string? extendedAck)
    {
        var text = new StringBuilder(operation).Append(": ").Append(Native.Errno.Describe(errno));
        text.Append(" (errno ").Append(errno).Append(')');
        if (!string.IsNullOrEmpty(extendedAck))
        {
            text.Append(": ").Append(extendedAck);
        }

        return text.ToString();
    }
}
