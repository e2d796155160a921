using System.Text;
using System.Text.RegularExpressions;
using SriovPS.Native.Files;

namespace SriovPS.Persistence.NetworkFiles;

/// <summary>
/// <c>/etc/netplan/60-sriovps-IFNAME.yaml</c>: one ethernet definition with no address of any kind.
/// netplan merges all its files in name order, so this one adds to (and for the keys it names,
/// overrides) a definition such as cloud-init's <c>50-cloud-init.yaml</c>; a file sorting after it
/// still wins. <c>optional: true</c> keeps boot from waiting for an address the PF never gets
/// (systemd-networkd-wait-online would otherwise hold network-online.target for two minutes), and
/// <c>activation-mode: off</c> is netplan's way to keep a link down (systemd-networkd v248 and later).
/// New files are 0600: netplan warns about configuration readable by others.
/// Beside another definition of the interface (or an address on it) the file keeps what that one
/// sets, by netplan's own merge: it writes under the same definition id (so a <c>match:</c>ed
/// definition is extended, not doubled into a second, competing networkd or NetworkManager file)
/// only the keys it changes, the MTU and <c>activation-mode</c>, and none of <c>dhcp4</c>,
/// <c>dhcp6</c>, <c>accept-ra</c>, <c>link-local</c> or <c>optional</c>, whose values there stay.
/// Only a netplan definition is kept so: beside a configuration netplan does not read (a <c>.network</c>
/// file, a NetworkManager profile, an ifupdown stanza, or only an address set by hand) the file would
/// be the interface's one definition, which netplan renders with no DHCP and no address, ahead of
/// that configuration (its <c>/run/systemd/network/10-netplan-IFNAME.network</c> sorts before an
/// administrator's <c>20-IFNAME.network</c>), so the address would be gone at the next boot; that is refused.
/// </summary>
internal sealed partial class NetplanPfWriter : PfNetworkWriter
{
    public override HostNetworkManager Manager => HostNetworkManager.Netplan;

    public override string Directory => "/etc/netplan";

    public override uint NewFileMode => 0b110_000_000;

    protected override Regex MtuLine => MtuPattern();

    protected override string FileName(string interfaceName) => $"60-sriovps-{interfaceName}.yaml";

    /// <summary>
    /// Why the file cannot keep <paramref name="others"/>: none of them is a netplan definition of the
    /// interface, so netplan would render the file alone, with no address, over them.
    /// </summary>
    public override string? CannotKeep(HostFileSystem files, PfNetworkSettings settings, PfNetworkConflicts others)
    {
        if (Keeps(others))
        {
            return null;
        }

        string name = settings.InterfaceName;
        return $"netplan keeps only what a netplan definition of {name} sets, and no file in /etc/netplan, /run/netplan or /lib/netplan defines it, " +
            $"so {HostPathFor(name)} would be its only definition: netplan would render it with no DHCP and no address, " +
            $"ahead of what configures {name} now, and its address would be gone at the next boot. " +
            $"Give {name} a netplan definition with its addresses or DHCP in place of that configuration, and -Force then keeps it.";
    }

    protected override void RenderBody(StringBuilder text, PfNetworkSettings settings, PfNetworkConflicts? kept)
    {
        if (kept is not null)
        {
            RenderKeeping(text, settings, kept);
            return;
        }

        text.Append("network:\n")
            .Append("  version: 2\n")
            .Append("  ethernets:\n")
            .Append("    ").Append(settings.InterfaceName).Append(":\n")
            .Append("      dhcp4: false\n")
            .Append("      dhcp6: false\n")
            .Append("      accept-ra: false\n")
            .Append("      link-local: []\n")
            .Append("      optional: true\n");
        if (settings.Mtu is int mtu)
        {
            text.Append("      mtu: ").Append(Number(mtu)).Append('\n');
        }

        if (!settings.Up)
        {
            text.Append("      activation-mode: off\n");
        }
    }

    private static void RenderKeeping(StringBuilder text, PfNetworkSettings settings, PfNetworkConflicts kept)
    {
        // Keeps() holds only beside a netplan definition, so there is always an id to extend.
        var ids = kept.Of(HostNetworkManager.Netplan).Select(c => c.NetplanId!).Distinct(StringComparer.Ordinal).ToList();
        text.Append("network:\n")
            .Append("  version: 2\n")
            .Append("  ethernets:\n");
        foreach (var id in ids)
        {
            text.Append("    ").Append(Quoted(id)).Append(':');
            if (settings.Mtu is null && settings.Up)
            {
                text.Append(" {}\n");
                continue;
            }

            text.Append('\n');
            if (settings.Mtu is int mtu)
            {
                text.Append("      mtu: ").Append(Number(mtu)).Append('\n');
            }

            if (!settings.Up)
            {
                text.Append("      activation-mode: off\n");
            }
        }
    }

    /// <summary>An id read from another file, quoted unless it is a plain name.</summary>
    private static string Quoted(string id) =>
        id.Length > 0 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') ? id : "\"" + id.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    [GeneratedRegex("^      mtu: (?<mtu>[0-9]{1,5})$", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex MtuPattern();
}
