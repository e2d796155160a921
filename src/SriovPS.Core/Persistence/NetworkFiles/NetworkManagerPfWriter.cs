using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace SriovPS.Persistence.NetworkFiles;

/// <summary>
/// The keyfile <c>/etc/NetworkManager/system-connections/sriovps-IFNAME.nmconnection</c>: an ethernet
/// profile bound to the interface with IPv4 and IPv6 <c>method=disabled</c> (valid for IPv6 since
/// NetworkManager 1.20). Its UUID is derived from the interface name (RFC 9562 version 5), so a second
/// run renders the same bytes. A PF kept down has <c>autoconnect=false</c>: NetworkManager activates
/// nothing on it at boot (it may still set a managed link up to watch its carrier). New files are 0600,
/// since NetworkManager ignores keyfiles that others can read; the previous version is kept as a hidden
/// file, since NetworkManager loads every other name in <c>/etc/NetworkManager/system-connections</c>,
/// <c>.bak</c> included, and would see the old profile twice under one UUID.
/// </summary>
internal sealed partial class NetworkManagerPfWriter : PfNetworkWriter
{
    /// <summary>The namespace of the module's profile UUIDs; never changed, or every profile's UUID would.</summary>
    private static readonly Guid UuidNamespace = new("26cd0e48-5feb-497d-b40d-2aebd026ebbd");

    public override HostNetworkManager Manager => HostNetworkManager.NetworkManager;

    public override string Directory => "/etc/NetworkManager/system-connections";

    public override uint NewFileMode => 0b110_000_000;

    public override bool HoldsHwTcOffload => true;

    protected override Regex MtuLine => MtuPattern();

    /// <summary>The profile's name in <c>nmcli connection show</c>.</summary>
    public static string ConnectionId(string interfaceName) => "sriovps-" + CheckedName(interfaceName);

    /// <summary>The profile's UUID: the same for an interface name on every host and every run.</summary>
    public static string ConnectionUuid(string interfaceName) => NameBasedUuid(UuidNamespace, CheckedName(interfaceName));

    public override string BackupHostPathFor(string interfaceName) =>
        $"{Directory}/.{FileName(CheckedName(interfaceName))}{ConfigFile.BackupSuffix}";

    /// <summary>An RFC 9562 version 5 UUID: SHA-1 over the namespace's bytes and the name's UTF-8, lower-case.</summary>
    internal static string NameBasedUuid(Guid namespaceId, string name)
    {
        byte[] input = [.. namespaceId.ToByteArray(bigEndian: true), .. Encoding.UTF8.GetBytes(name)];
        Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
        SHA1.HashData(input, hash);
        Span<byte> uuid = hash[..16];
        uuid[6] = (byte)((uuid[6] & 0x0F) | 0x50);
        uuid[8] = (byte)((uuid[8] & 0x3F) | 0x80);
        return new Guid(uuid, bigEndian: true).ToString("D");
    }

    protected override string FileName(string interfaceName) => $"sriovps-{interfaceName}.nmconnection";

    protected override void RenderBody(StringBuilder text, PfNetworkSettings settings, PfNetworkConflicts? kept)
    {
        string name = settings.InterfaceName;
        text.Append("[connection]\n")
            .Append("id=").Append(ConnectionId(name)).Append('\n')
            .Append("uuid=").Append(ConnectionUuid(name)).Append('\n')
            .Append("type=ethernet\n")
            .Append("interface-name=").Append(name).Append('\n')
            .Append("autoconnect=").Append(settings.Up ? "true" : "false").Append('\n');
        if (settings.Mtu is int mtu)
        {
            text.Append('\n')
                .Append("[ethernet]\n")
                .Append("mtu=").Append(Number(mtu)).Append('\n');
        }

        // nm-setting-ethtool's key for NETIF_F_HW_TC: NetworkManager sets it as the profile activates.
        if (settings.HwTcOffload is bool offload)
        {
            text.Append('\n')
                .Append("[ethtool]\n")
                .Append("feature-hw-tc-offload=").Append(offload ? "true" : "false").Append('\n');
        }

        if (kept is not null)
        {
            string carried = kept.Of(HostNetworkManager.NetworkManager).First().AddressSections ?? string.Empty;
            if (carried.Length > 0)
            {
                text.Append('\n').Append(carried);
            }

            return;
        }

        text.Append('\n')
            .Append("[ipv4]\n")
            .Append("method=disabled\n")
            .Append('\n')
            .Append("[ipv6]\n")
            .Append("method=disabled\n");
    }

    [GeneratedRegex("^mtu=(?<mtu>[0-9]{1,5})$", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex MtuPattern();
}
