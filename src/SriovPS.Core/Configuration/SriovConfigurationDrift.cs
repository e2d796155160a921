namespace SriovPS;

/// <summary>
/// One difference between a configuration document and the host (<c>Test-SriovConfiguration</c>):
/// what differs, what the document asks, what the host has, and the command that would make it so.
/// </summary>
public sealed class SriovConfigurationDrift
{
    internal SriovConfigurationDrift(string target, string property, object? desired, object? actual, string step, string path)
    {
        Target = target;
        Property = property;
        Desired = desired;
        Actual = actual;
        Step = step;
        Path = path;
    }

    /// <summary>What differs: a PF (<c>eno49</c>), a VF (<c>eno49 vf 3</c>), a libvirt network, or a file.</summary>
    public string Target { get; }

    /// <summary>The setting, as SriovPS's objects name it: NumVfs, Mtu, Vlan, Driver, Autostart…</summary>
    public string Property { get; }

    /// <summary>What the document asks.</summary>
    public object? Desired { get; }

    /// <summary>What the host has now; <c>null</c> when it has none (no such network, no MAC).</summary>
    public object? Actual { get; }

    /// <summary>The command that makes this one change; <c>Set-SriovConfiguration</c> makes them all.</summary>
    public string Step { get; }

    /// <summary>Where the document asks it: <c>pfs[0].vfs[1].vlan</c>.</summary>
    public string Path { get; }

    public override string ToString() => $"{Target} {Property}: {Actual ?? "(none)"} → {Desired}";
}
