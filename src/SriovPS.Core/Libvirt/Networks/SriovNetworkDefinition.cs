using System.Xml;
using SriovPS.Native.Libvirt;

namespace SriovPS.Libvirt.Networks;

/// <summary>Whether a network of the planned name exists, and with which definition.</summary>
internal enum ExistingNetwork
{
    /// <summary>No network has the name: it is defined.</summary>
    None,

    /// <summary>A network of that name has exactly this definition: nothing is defined again.</summary>
    Same,
}

/// <summary>
/// A planned SR-IOV pool: its name, PFs and XML, and what already exists under that name. Planning
/// reads and validates only; <see cref="Apply"/> changes libvirt.
/// </summary>
internal sealed class SriovNetworkDefinition
{
    private SriovNetworkDefinition(string name, IReadOnlyList<PfVfAddresses> pfs, string xml, ExistingNetwork existing, bool active, bool autostart)
    {
        Name = name;
        Pfs = pfs;
        Xml = xml;
        Existing = existing;
        IsActive = active;
        IsAutostart = autostart;
    }

    public string Name { get; }

    public IReadOnlyList<PfVfAddresses> Pfs { get; }

    /// <summary>The network XML that is (or would be) defined.</summary>
    public string Xml { get; }

    public ExistingNetwork Existing { get; }

    /// <summary>Whether the existing network runs now.</summary>
    public bool IsActive { get; }

    /// <summary>Whether the existing network starts with libvirtd.</summary>
    public bool IsAutostart { get; }

    /// <summary>The target for ShouldProcess: <c>eno49-sr-iov (eno49)</c>.</summary>
    public string Target => $"{Name} ({string.Join(", ", Pfs.Select(pf => pf.Name))})";

    /// <summary>The default name of a pool on one PF, as in the documents that define it by hand: <c>eno49-sr-iov</c>.</summary>
    internal static string DefaultName(string pfName) => pfName + "-sr-iov";

    /// <summary>A name libvirt accepts and a file name can hold (libvirt stores it as NAME.xml).</summary>
    /// <exception cref="SriovException">It is not.</exception>
    internal static void ValidateName(string name)
    {
        string? problem = name.Length == 0 ? "it is empty"
            : name.Contains('/', StringComparison.Ordinal) ? "it contains '/'"
            : name.Any(char.IsControl) ? "it contains a control character"
            : name != name.Trim() ? "it begins or ends with white space"
            : name is "." or ".." ? "it names a directory"
            : name.Length > 200 ? "it is longer than 200 characters"
            : null;
        if (problem is not null)
        {
            throw new SriovException(
                ErrorCatalog.InvalidNetworkName,
                $"'{name}' cannot name a libvirt network: {problem}.",
                name,
                "Use letters, digits, '-', '_' and '.', like eno49-sr-iov.");
        }
    }

    /// <summary>
    /// Plans a pool named <paramref name="name"/> on <paramref name="pfs"/>: one PF by name (libvirt
    /// builds the VF list when the network starts), several by their VFs' addresses.
    /// </summary>
    /// <exception cref="SriovException">
    /// The name is invalid; a network of that name exists with another definition (ResourceExists);
    /// several PFs have no VFs to list, or <paramref name="start"/> is asked of a PF with none
    /// (SriovPoolEmpty); libvirt failed.
    /// </exception>
    internal static SriovNetworkDefinition Plan(LibvirtConnection connection, string name, IReadOnlyList<PfVfAddresses> pfs, bool start) =>
        Plan(() => Find(connection, name), name, pfs, start);

    /// <summary>The plan against a libvirt of either kind: a connection, or what a snapshot holds.</summary>
    internal static SriovNetworkDefinition Plan(LibvirtHost libvirt, string name, IReadOnlyList<PfVfAddresses> pfs, bool start) =>
        Plan(() => libvirt.FindNetwork(name), name, pfs, start);

    /// <summary>The network <paramref name="name"/>: its persistent definition (its live one when transient), whether it runs and autostarts; null when there is none.</summary>
    /// <exception cref="SriovException">libvirt could not read it.</exception>
    internal static (string Definition, bool Active, bool Autostart)? Find(LibvirtConnection connection, string name)
    {
        try
        {
            using var existing = Lookup(connection, name);
            return existing is null ? null : (existing.IsPersistent ? existing.InactiveXml : existing.Xml, existing.IsActive, existing.Autostart);
        }
        catch (LibvirtException e)
        {
            throw LibvirtErrors.ForNetwork(e, name, $"read network '{name}'");
        }
    }

    private static SriovNetworkDefinition Plan(Func<(string Definition, bool Active, bool Autostart)?> find, string name, IReadOnlyList<PfVfAddresses> pfs, bool start)
    {
        ValidateName(name);
        if (pfs.Count == 0)
        {
            throw new ArgumentException("A pool needs at least one PF.", nameof(pfs));
        }

        var vfs = pfs.SelectMany(pf => pf.VfAddresses).ToList();
        if ((pfs.Count > 1 || start) && vfs.Count == 0)
        {
            string names = string.Join(", ", pfs.Select(pf => pf.Name));
            throw new SriovException(
                ErrorCatalog.SriovPoolEmpty,
                pfs.Count > 1
                    ? $"{names} have no VFs, so a pool over them would list none: nothing was defined."
                    : $"{names} has no VFs, so the pool '{name}' could not start: nothing was defined.",
                name,
                $"Create VFs first: Get-SriovPf {string.Join(',', pfs.Select(pf => pf.Name))} | Enable-SriovVf -Count N.");
        }

        string xml = pfs.Count == 1 ? HostdevNetworkXml.ForPf(name, pfs[0].Name) : HostdevNetworkXml.ForAddresses(name, vfs);
        if (find() is not { } existing)
        {
            return new SriovNetworkDefinition(name, pfs, xml, ExistingNetwork.None, false, false);
        }

        try
        {
            var present = HostdevNetworkXml.Parse(existing.Definition);
            if (!present.SameDefinitionAs(HostdevNetworkXml.Parse(xml)))
            {
                throw new SriovException(
                    ErrorCatalog.LibvirtNetworkExists,
                    $"The libvirt network '{name}' exists with another definition ({Describe(present)}), so it was left as it is.",
                    name,
                    $"Choose another -Name, or remove it first: Remove-LibvirtSriovNetwork {name}.");
            }

            return new SriovNetworkDefinition(name, pfs, xml, ExistingNetwork.Same, existing.Active, existing.Autostart);
        }
        catch (XmlException e)
        {
            throw new SriovException(ErrorCatalog.LibvirtOperationFailed, $"libvirt returned XML for network '{name}' that cannot be read: {e.Message}", name, null, e);
        }
    }

    /// <summary>Defines the network unless it exists, then marks it autostart and starts it when asked and not so already.</summary>
    /// <returns>What was done, for -Verbose (empty when nothing was).</returns>
    internal List<string> Apply(LibvirtConnection connection, bool autostart, bool start)
    {
        var done = new List<string>();
        LibvirtNetwork? network = null;
        try
        {
            if (Existing == ExistingNetwork.None)
            {
                network = connection.DefineNetwork(Xml);
                done.Add($"Defined network '{Name}'.");
            }
            else
            {
                network = connection.LookupNetwork(Name) ?? throw LibvirtErrors.NetworkNotFound(Name);
            }

            if (autostart && !network.Autostart)
            {
                network.SetAutostart(true);
                done.Add($"Marked network '{Name}' to start with libvirtd.");
            }

            if (start && !network.IsActive)
            {
                network.Create();
                done.Add($"Started network '{Name}'.");
            }
        }
        catch (LibvirtException e)
        {
            // A network defined by this call and then refused (libvirt builds the pool only when it
            // starts) is undefined again, so a failed command leaves nothing behind.
            string? note = done.Count == 0 ? null : $"Done before the failure: {string.Join(" ", done)}";
            if (Existing == ExistingNetwork.None && network is not null && TryUndefine(network))
            {
                note = "The network it had defined was undefined again, so nothing was left behind.";
            }

            throw LibvirtErrors.ForNetwork(e, Name, $"set up network '{Name}'", note);
        }
        finally
        {
            network?.Dispose();
        }

        return done;
    }

    /// <summary>
    /// Takes back what <see cref="Apply"/> made with the same arguments: stops the network it started,
    /// undefines the network it defined, or clears the autostart mark it set on one that existed.
    /// </summary>
    /// <exception cref="SriovException">The network is gone, or libvirt refused.</exception>
    internal void Undo(LibvirtConnection connection, bool autostart, bool start)
    {
        using var network = Lookup(connection, Name) ?? throw LibvirtErrors.NetworkNotFound(Name);
        try
        {
            if (start && network.IsActive)
            {
                network.Destroy();
            }

            if (Existing == ExistingNetwork.None)
            {
                network.Undefine();
            }
            else if (autostart)
            {
                network.SetAutostart(false);
            }
        }
        catch (LibvirtException e)
        {
            throw LibvirtErrors.ForNetwork(e, Name, $"take back the changes to network '{Name}'");
        }
    }

    private static bool TryUndefine(LibvirtNetwork network)
    {
        try
        {
            network.Undefine();
            return true;
        }
        catch (LibvirtException)
        {
            return false;
        }
    }

    internal static LibvirtNetwork? Lookup(LibvirtConnection connection, string name)
    {
        try
        {
            return connection.LookupNetwork(name);
        }
        catch (LibvirtException e)
        {
            throw LibvirtErrors.ForNetwork(e, name, $"look up network '{name}'");
        }
    }

    private static string Describe(HostdevNetworkXml network)
    {
        if (!network.IsHostdev)
        {
            return "it is not a hostdev pool";
        }

        string pool = network.PfNames.Count > 0
            ? $"PF {string.Join(", ", network.PfNames)}"
            : $"{network.Addresses.Count} VFs by address";
        return network.OtherElements.Count > 0 ? $"{pool}, with {string.Join(", ", network.OtherElements.Distinct())}" : pool;
    }
}
