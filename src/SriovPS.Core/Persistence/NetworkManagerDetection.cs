using SriovPS.Native.Files;
using SriovPS.Persistence.NetworkFiles;

namespace SriovPS.Persistence;

/// <summary>
/// Which program configures the host's network at boot, found from files alone (under the host root,
/// so a copied tree answers like the host it came from), with the paths that decided it. The first
/// that applies wins:
/// <list type="number">
/// <item><b>netplan</b>: <c>/etc/netplan</c> holds a <c>*.yaml</c> file and <c>/usr/sbin/netplan</c> or
/// <c>/usr/bin/netplan</c> exists. netplan renders its YAML for systemd-networkd or NetworkManager at
/// boot, and those renderings replace what either would read on its own, so it comes first.</item>
/// <item><b>NetworkManager</b>: <c>/usr/sbin/NetworkManager</c> or <c>/usr/bin/NetworkManager</c> exists,
/// and the service is enabled (<c>/etc/systemd/system/multi-user.target.wants/NetworkManager.service</c>)
/// or running (<c>/run/NetworkManager</c>, which it creates at start).</item>
/// <item><b>systemd-networkd</b>: <c>/usr/lib/systemd/systemd-networkd</c> or
/// <c>/lib/systemd/systemd-networkd</c> exists, and the service is enabled
/// (<c>/etc/systemd/system/multi-user.target.wants/systemd-networkd.service</c>, its unit's
/// <c>WantedBy=</c>, on Debian as elsewhere) or running (<c>/run/systemd/netif/state</c>, which it
/// writes; <c>/run/systemd/netif/links</c> proves nothing, as systemd-tmpfiles creates it at every boot
/// whether networkd runs or not).</item>
/// <item><b>ifupdown</b>: <c>/etc/network/interfaces</c> exists, and <c>/sbin/ifup</c> or <c>/usr/sbin/ifup</c>.</item>
/// </list>
/// Otherwise none: nothing the module knows would read a file it wrote. A symbolic link counts as
/// present without being followed.
/// </summary>
internal sealed class NetworkManagerDetection
{
    private const string NetplanDirectory = "/etc/netplan";
    private const string UnitWants = "/etc/systemd/system/multi-user.target.wants/";

    private static readonly string[] NetplanPrograms = ["/usr/sbin/netplan", "/usr/bin/netplan"];
    private static readonly string[] NetworkManagerPrograms = ["/usr/sbin/NetworkManager", "/usr/bin/NetworkManager"];
    private static readonly string[] NetworkManagerSigns = [UnitWants + "NetworkManager.service", "/run/NetworkManager"];
    private static readonly string[] NetworkdPrograms = ["/usr/lib/systemd/systemd-networkd", "/lib/systemd/systemd-networkd"];
    private static readonly string[] NetworkdSigns = [UnitWants + "systemd-networkd.service", "/run/systemd/netif/state"];
    private static readonly string[] IfupPrograms = ["/sbin/ifup", "/usr/sbin/ifup"];

    private NetworkManagerDetection(HostNetworkManager manager, IReadOnlyList<string> evidence)
    {
        Manager = manager;
        Evidence = evidence;
    }

    /// <summary>The manager in charge, or <see cref="HostNetworkManager.None"/>.</summary>
    public HostNetworkManager Manager { get; }

    /// <summary>The host paths that decided it, for a message; empty for none.</summary>
    public IReadOnlyList<string> Evidence { get; }

    /// <summary>The answer in a few words: <c>netplan (/etc/netplan/50-cloud-init.yaml, /usr/sbin/netplan)</c>.</summary>
    public string Description => Manager switch
    {
        HostNetworkManager.None => "no network manager (none of netplan, NetworkManager, systemd-networkd or ifupdown was found)",
        _ => $"{NameOf(Manager)} ({string.Join(", ", Evidence)})",
    };

    /// <summary>The manager's usual name: <c>systemd-networkd</c>.</summary>
    public static string NameOf(HostNetworkManager manager) => manager switch
    {
        HostNetworkManager.Netplan => "netplan",
        HostNetworkManager.NetworkManager => "NetworkManager",
        HostNetworkManager.SystemdNetworkd => "systemd-networkd",
        HostNetworkManager.Ifupdown => "ifupdown",
        _ => "none",
    };

    /// <summary>Finds the manager in charge of <paramref name="files"/>' host.</summary>
    public static NetworkManagerDetection Detect(HostFileSystem files)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (NetplanYaml(files) is string yaml && First(files, NetplanPrograms) is string netplan)
        {
            return new(HostNetworkManager.Netplan, [yaml, netplan]);
        }

        if (First(files, NetworkManagerPrograms) is string networkManager && First(files, NetworkManagerSigns) is string nmSign)
        {
            return new(HostNetworkManager.NetworkManager, [networkManager, nmSign]);
        }

        if (First(files, NetworkdPrograms) is string networkd && First(files, NetworkdSigns) is string networkdSign)
        {
            return new(HostNetworkManager.SystemdNetworkd, [networkd, networkdSign]);
        }

        if (files.Exists(IfupdownPfWriter.InterfacesHostPath) && First(files, IfupPrograms) is string ifup)
        {
            return new(HostNetworkManager.Ifupdown, [IfupdownPfWriter.InterfacesHostPath, ifup]);
        }

        return new(HostNetworkManager.None, []);
    }

    /// <summary>
    /// The first path present, a symbolic link counting as present without being followed: enable links
    /// and program links are absolute, and in a copied tree would resolve against the running host.
    /// </summary>
    private static string? First(HostFileSystem files, string[] hostPaths) =>
        Array.Find(hostPaths, path => files.ReadLink(path) is not null || files.Exists(path));

    /// <summary>The first <c>*.yaml</c> in <c>/etc/netplan</c> by name, skipping hidden ones as netplan's glob does.</summary>
    private static string? NetplanYaml(HostFileSystem files)
    {
        var names = files.ListNames(NetplanDirectory);
        names.Sort(StringComparer.Ordinal);
        string? name = names.Find(n => n.Length > ".yaml".Length && n[0] != '.' && n.EndsWith(".yaml", StringComparison.Ordinal));
        return name is null ? null : $"{NetplanDirectory}/{name}";
    }
}
