using System.Buffers.Binary;
using System.Text;

namespace SriovPS.Native.Netlink;

/// <summary>
/// Generic netlink (include/uapi/linux/genetlink.h): families such as devlink get their message type
/// from the kernel at run time, so a client first asks the controller, <c>nlctrl</c>, for the id that
/// belongs to a family name (<c>genl ctrl get name devlink</c>).
/// </summary>
internal static class GenericNetlink
{
    /// <summary>GENL_HDRLEN: sizeof(struct genlmsghdr), already 4-byte aligned.</summary>
    internal const int HeaderLength = 4;

    /// <summary>GENL_NAMSIZ: a family name with its NUL.</summary>
    internal const int FamilyNameCapacity = 16;

    /// <summary>GENL_ID_CTRL (NLMSG_MIN_TYPE): the controller's fixed message type.</summary>
    internal const ushort GENL_ID_CTRL = 0x10;

    // enum CTRL_CMD_*.
    internal const byte CTRL_CMD_NEWFAMILY = 1;
    internal const byte CTRL_CMD_GETFAMILY = 3;

    // enum CTRL_ATTR_*.
    internal const ushort CTRL_ATTR_FAMILY_ID = 1;   // u16
    internal const ushort CTRL_ATTR_FAMILY_NAME = 2; // NUL-terminated string

    /// <summary>
    /// The version this client speaks to the controller. The kernel checks no request's version, but
    /// the controller's own family version is 2, so that is what is sent.
    /// </summary>
    internal const byte ControllerVersion = 2;

    /// <summary>CTRL_CMD_GETFAMILY for one family by name: <c>genl ctrl get name NAME</c>.</summary>
    internal static NetlinkMessageBuilder BuildGetFamily(string name)
    {
        if (Encoding.UTF8.GetByteCount(name) >= FamilyNameCapacity)
        {
            throw new ArgumentOutOfRangeException(nameof(name), $"A generic netlink family name has at most {FamilyNameCapacity - 1} bytes.");
        }

        var request = new NetlinkMessageBuilder(GENL_ID_CTRL, NetlinkProtocol.NLM_F_REQUEST, 32) { Operation = "CTRL_CMD_GETFAMILY" };
        request.AppendGenericHeader(CTRL_CMD_GETFAMILY, ControllerVersion);
        request.AppendString(CTRL_ATTR_FAMILY_NAME, name);
        return request;
    }

    /// <summary>
    /// The family id in the controller's answer to <see cref="BuildGetFamily"/>, which must name the
    /// family asked for.
    /// </summary>
    /// <exception cref="NetlinkDecodeException">The answer is cut, is not the controller's, or lacks a valid id.</exception>
    internal static ushort DecodeFamilyId(ReadOnlySpan<byte> reply, string name)
    {
        string context = $"CTRL_CMD_GETFAMILY reply for '{name}'";
        var reader = new NetlinkAttributeReader(Attributes(reply, GENL_ID_CTRL, context), context);
        ushort? id = null;
        string? replyName = null;
        while (reader.TryRead(out ushort type, out var value))
        {
            if (type == CTRL_ATTR_FAMILY_ID)
            {
                id = reader.ReadUInt16(value, type);
            }
            else if (type == CTRL_ATTR_FAMILY_NAME)
            {
                replyName = NetlinkAttributeReader.ReadString(value);
            }
        }

        if (replyName is not null && replyName != name)
        {
            throw new NetlinkDecodeException($"{context}: the controller described the family '{replyName}' instead.");
        }

        // 0 is NLMSG_NOOP's number and the controller's own id is the lowest a family can have.
        return id is >= GENL_ID_CTRL
            ? id.Value
            : throw new NetlinkDecodeException($"{context}: no family id of {GENL_ID_CTRL} or more (got {id?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}).");
    }

    /// <summary>
    /// The message type of the family <paramref name="name"/> on this kernel; <c>null</c> when the
    /// kernel has no such family (the controller answers ENOENT: not built in, module not loadable).
    /// </summary>
    /// <exception cref="NetlinkException">The controller failed otherwise.</exception>
    /// <exception cref="NetlinkDecodeException">Its answer did not parse.</exception>
    internal static ushort? ResolveFamily(NetlinkSocket socket, string name)
    {
        ushort? id = null;
        try
        {
            socket.Transact(BuildGetFamily(name), reply => id ??= DecodeFamilyId(reply, name));
        }
        catch (NetlinkException e) when (e.Errno == Errno.ENOENT)
        {
            return null;
        }

        return id ?? throw new NetlinkDecodeException($"CTRL_CMD_GETFAMILY for '{name}': the controller acknowledged without describing the family.");
    }

    /// <summary>
    /// The attributes of one generic netlink message: what follows its nlmsghdr and genlmsghdr, within
    /// its own nlmsg_len, once its type is checked against <paramref name="family"/>.
    /// </summary>
    /// <exception cref="NetlinkDecodeException">The message is cut or of another type.</exception>
    internal static ReadOnlySpan<byte> Attributes(ReadOnlySpan<byte> message, ushort family, string context)
    {
        const int fixedLength = NetlinkProtocol.HeaderLength + HeaderLength;
        if (message.Length < fixedLength)
        {
            throw new NetlinkDecodeException($"{context}: {message.Length} bytes, fewer than the {fixedLength} of its headers.");
        }

        uint length = BinaryPrimitives.ReadUInt32LittleEndian(message);
        if (length < fixedLength || length > message.Length)
        {
            throw new NetlinkDecodeException($"{context}: nlmsg_len {length} does not fit the {message.Length} bytes received.");
        }

        ushort type = BinaryPrimitives.ReadUInt16LittleEndian(message[4..]);
        if (type != family)
        {
            throw new NetlinkDecodeException($"{context}: a message of type {type} where family {family} was expected.");
        }

        return message[fixedLength..(int)length];
    }
}
