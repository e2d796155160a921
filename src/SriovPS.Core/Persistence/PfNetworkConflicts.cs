using SriovPS.Kernel;
using SriovPS.Native;
using SriovPS.Native.Files;
using SriovPS.Persistence.NetworkFiles;

namespace SriovPS.Persistence;

/// <summary>
/// Everything besides the module's own files that configures a PF's interface: netplan definitions,
/// matching <c>.network</c> files, NetworkManager profiles, ifupdown stanzas (whichever manager is in
/// charge: a leftover of another one is named too), and on the live host the addresses the interface
/// has now. A PF is often also the management NIC: a file of the module's that turned its addresses
/// off, or that a manager preferred to the other one, would take the address away at the next boot,
/// so <c>Set-SriovPf -Persist</c> refuses while any of these exists, unless told to go on, and then
/// writes its file so it keeps what they set (<see cref="PfNetworkWriter"/>'s "keep" rendering).
/// </summary>
internal sealed class PfNetworkConflicts
{
    private PfNetworkConflicts(string interfaceName, List<OtherPfConfiguration> found)
    {
        InterfaceName = interfaceName;
        Found = found;
    }

    public string InterfaceName { get; }

    /// <summary>Each configuration found, files first (in the order the managers read them), then addresses.</summary>
    public IReadOnlyList<OtherPfConfiguration> Found { get; }

    public bool Any => Found.Count > 0;

    /// <summary>The configurations a manager reads.</summary>
    public IEnumerable<OtherPfConfiguration> Of(HostNetworkManager manager) => Found.Where(f => f.Manager == manager);

    /// <summary>
    /// The other configurations of <paramref name="interfaceName"/> on <paramref name="files"/>' host: on the
    /// live host (<paramref name="links"/> given) the addresses it has now as well as the files; on a copied
    /// tree the files alone, as its addresses are not this kernel's.
    /// </summary>
    /// <returns><c>null</c> when its addresses could not be read (<paramref name="links"/> has reported why), so whether a file of the module's would take one away is not known.</returns>
    /// <exception cref="SriovException">A file that names interfaces could not be read.</exception>
    /// <exception cref="ArgumentException">The name cannot be written into a network configuration file safely.</exception>
    public static PfNetworkConflicts? FindOnHost(HostFileSystem files, KernelLinks? links, string interfaceName, string? macAddress)
    {
        ArgumentNullException.ThrowIfNull(files);
        List<string>? addresses = null;
        if (files.IsLiveHost && links is not null)
        {
            addresses = links.ReadAddresses(interfaceName);
            if (addresses is null)
            {
                return null;
            }
        }

        return Find(files, interfaceName, macAddress, addresses);
    }

    /// <summary>
    /// Reads the host's files (under its root) for other configurations of <paramref name="interfaceName"/>,
    /// and takes the addresses the caller read from the kernel (<c>null</c> on a copied tree, where only files count).
    /// </summary>
    /// <param name="macAddress">The PF's MAC, for definitions that match by MAC; <c>null</c> when unknown.</param>
    /// <exception cref="SriovException">A file that names interfaces could not be read.</exception>
    public static PfNetworkConflicts Find(HostFileSystem files, string interfaceName, string? macAddress, IEnumerable<string>? liveAddresses)
    {
        ArgumentNullException.ThrowIfNull(files);
        PfNetworkWriter.CheckedName(interfaceName);
        var own = new HashSet<string>(
            new[] { PfNetworkWriter.Netplan, PfNetworkWriter.NetworkManager, PfNetworkWriter.SystemdNetworkd, PfNetworkWriter.Ifupdown }.Select(w => w.HostPathFor(interfaceName)),
            StringComparer.Ordinal);
        var found = new List<OtherPfConfiguration>();

        foreach (var path in Files(files, NetplanDefinitions.Directories, n => n.EndsWith(".yaml", StringComparison.Ordinal) && n[0] != '.'))
        {
            if (!own.Contains(path) && Read(files, path) is string text)
            {
                found.AddRange(NetplanDefinitions.Read(path, text, interfaceName, macAddress));
            }
        }

        // netplan's own renderings in /run are named through the YAML they come from.
        string? linkType = NetworkdLinkType(files, interfaceName);
        foreach (var path in Files(files, NetworkdMatches.Directories, n => n.EndsWith(".network", StringComparison.Ordinal) && n[0] != '.')
            .Where(p => !p.StartsWith("/run/systemd/network/10-netplan-", StringComparison.Ordinal)))
        {
            if (!own.Contains(path) && Read(files, path) is string text && NetworkdMatches.Read(path, text, interfaceName, macAddress, linkType) is { } match)
            {
                found.Add(match);
            }
        }

        foreach (var path in Files(files, NetworkManagerProfiles.Directories, n => !NetworkManagerProfiles.IsIgnoredName(n)))
        {
            if (!own.Contains(path) && Read(files, path) is string text && NetworkManagerProfiles.Read(path, text, interfaceName, macAddress) is { } profile)
            {
                found.Add(profile);
            }
        }

        var ifupdown = new List<string> { IfupdownPfWriter.InterfacesHostPath };
        ifupdown.AddRange(Files(files, [IfupdownStanzas.IncludedDirectory], n => n[0] != '.'));
        foreach (var path in ifupdown)
        {
            if (!own.Contains(path) && Read(files, path) is string text && IfupdownStanzas.Read(path, text, interfaceName) is { } stanza)
            {
                found.Add(stanza);
            }
        }

        foreach (var address in liveAddresses ?? [])
        {
            found.Add(new OtherPfConfiguration(HostNetworkManager.None, null, $"{address} on {interfaceName} now"));
        }

        return new PfNetworkConflicts(interfaceName, found);
    }

    /// <summary>
    /// The interface's type as systemd-networkd's <c>Type=</c> names it, from its ARPHRD number in sysfs
    /// (a device type in its uevent, such as wlan, would name it instead); <c>null</c> when not known.
    /// </summary>
    private static string? NetworkdLinkType(HostFileSystem files, string interfaceName)
    {
        string device = "/sys/class/net/" + interfaceName;
        if (files.ReadAttribute(device + "/uevent") is { } uevent
            && uevent.Split('\n').FirstOrDefault(l => l.StartsWith("DEVTYPE=", StringComparison.Ordinal)) is { } devType)
        {
            return devType["DEVTYPE=".Length..];
        }

        return files.ReadAttribute(device + "/type") switch
        {
            "1" => "ether",
            "32" => "infiniband",
            _ => null,
        };
    }

    /// <summary>The refusal to write beside them: every one named, with what it sets.</summary>
    public SriovException Refusal(string? file) => new(
        ErrorCatalog.NetworkConfigConflict,
        $"{InterfaceName} is configured elsewhere, which {file ?? "the module's network configuration file"} would override or be overridden by, " +
        $"possibly taking its address away at the next boot: {string.Join("; ", Found.Select(f => f.Description))}. Nothing was changed on {InterfaceName}.",
        InterfaceName,
        $"If {InterfaceName} only carries VFs, remove its other configuration first; else add -Force to write a file that changes only its link " +
        "and keeps the addresses and DHCP set there, or leave out -Persist.");

    /// <summary>The refusal when even a file that keeps them cannot express what was asked.</summary>
    public SriovException CannotKeep(string reason) => new(
        ErrorCatalog.NetworkConfigConflict,
        $"{InterfaceName} is configured elsewhere ({string.Join("; ", Found.Select(f => f.Description))}), " +
        $"and -Force cannot keep that and persist what was asked: {reason} Nothing was changed on {InterfaceName}.",
        InterfaceName,
        "Make the change in that configuration instead, or leave out -Persist.");

    /// <summary>The files of <paramref name="directories"/> whose names <paramref name="wanted"/>, a name in an earlier directory hiding it in later ones, sorted by name.</summary>
    private static List<string> Files(HostFileSystem files, string[] directories, Func<string, bool> wanted)
    {
        var byName = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var directory in directories)
        {
            foreach (var name in files.ListNames(directory))
            {
                if (name.Length > 0 && wanted(name) && !byName.ContainsKey(name))
                {
                    byName[name] = $"{directory}/{name}";
                }
            }
        }

        return [.. byName.Values];
    }

    /// <summary>
    /// The file's text; <c>null</c> for none, a directory, or a mask (a link to /dev/null, or empty).
    /// Read inside the host root, links resolved there: in a copied tree nothing of this machine's is read.
    /// </summary>
    /// <exception cref="SriovException">It cannot be read, or leads out of a copied tree.</exception>
    private static string? Read(HostFileSystem files, string hostPath)
    {
        if (files.ReadLink(hostPath) == "/dev/null")
        {
            return null;
        }

        var file = new ConfigFile(files, hostPath);
        int errno = files.ReadAll(hostPath, out byte[]? content);
        return errno switch
        {
            0 => ConfigText.Decode(content!) is { Length: > 0 } text ? text : null,
            Errno.ENOENT or Errno.ENOTDIR or Errno.EISDIR => null,
            _ => throw file.Failure(errno, "read"),
        };
    }
}
