using SriovPS.Native.Libvirt;

namespace SriovPS.Libvirt.Networks;

/// <summary>Stops and undefines SR-IOV pools, never one that running guests use unless forced.</summary>
internal static class SriovNetworkRemoval
{
    /// <summary>The refusal to remove a pool that running guests hold VFs of.</summary>
    internal static SriovException InUse(LibvirtSriovNetwork network) => new(
        ErrorCatalog.LibvirtNetworkInUse,
        $"The network '{network.Name}' is used by running guests ({string.Join(", ", network.RunningConsumers)}), so it was left as it is.",
        network.Name,
        "Shut those guests down or detach their interfaces first, or use -Force to remove the network anyway (the guests keep the VFs they have until they stop).");

    /// <summary>Stops the network if it runs and undefines it if it is persistent.</summary>
    /// <returns>What was done, for -Verbose.</returns>
    internal static List<string> Remove(LibvirtConnection connection, string name)
    {
        var done = new List<string>();
        using var network = SriovNetworkDefinition.Lookup(connection, name) ?? throw LibvirtErrors.NetworkNotFound(name);
        try
        {
            if (network.IsActive)
            {
                network.Destroy();
                done.Add($"Stopped network '{name}'.");
            }

            // A transient network is gone once stopped.
            if (network.IsPersistent)
            {
                network.Undefine();
                done.Add($"Undefined network '{name}'.");
            }
        }
        catch (LibvirtException e)
        {
            string what = done.Count == 0 ? "" : $" ({string.Join(" ", done)})";
            throw LibvirtErrors.ForNetwork(e, name, $"remove network '{name}'{what}");
        }

        return done;
    }

    /// <summary>The definition and state of the persistent network <paramref name="name"/>, read just before it is removed.</summary>
    /// <exception cref="SriovException">The network is gone, or libvirt failed.</exception>
    internal static SavedNetwork Save(LibvirtConnection connection, string name)
    {
        using var network = SriovNetworkDefinition.Lookup(connection, name) ?? throw LibvirtErrors.NetworkNotFound(name);
        try
        {
            return new SavedNetwork(name, network.InactiveXml, network.Autostart, network.IsActive);
        }
        catch (LibvirtException e)
        {
            throw LibvirtErrors.ForNetwork(e, name, $"read network '{name}'");
        }
    }

    /// <summary>Defines a removed network again from its saved definition, marks it autostart and starts it as it was.</summary>
    /// <exception cref="SriovException">libvirt refused (a network of that name was defined since, or the pool cannot start now).</exception>
    internal static void Restore(LibvirtConnection connection, SavedNetwork saved)
    {
        try
        {
            using var network = connection.DefineNetwork(saved.Xml);
            if (saved.Autostart)
            {
                network.SetAutostart(true);
            }

            if (saved.Active)
            {
                network.Create();
            }
        }
        catch (LibvirtException e)
        {
            throw LibvirtErrors.ForNetwork(e, saved.Name, $"define network '{saved.Name}' again");
        }
    }
}
