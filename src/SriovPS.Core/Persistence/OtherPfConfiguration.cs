namespace SriovPS.Persistence;

/// <summary>
/// Something besides the module's own file that configures a PF's interface: a file of one of the
/// network managers, or (<see cref="HostPath"/> <c>null</c>) an address the interface has now.
/// </summary>
/// <param name="Manager">The manager that reads the file; <see cref="HostNetworkManager.None"/> for an address on the interface.</param>
/// <param name="HostPath">The file, as the host spells it; <c>null</c> for an address on the interface.</param>
/// <param name="Sets">What it sets, in its own words: <c>ethernets.eno49: dhcp4: true, addresses: [192.0.2.10/24]</c>.</param>
internal sealed record OtherPfConfiguration(HostNetworkManager Manager, string? HostPath, string Sets)
{
    /// <summary>netplan: the id of the definition that configures the interface (<c>eno49</c>, or <c>mgmt</c> with a <c>match:</c>).</summary>
    public string? NetplanId { get; init; }

    /// <summary>systemd-networkd: the <c>.network</c> file's name, for a drop-in beside it.</summary>
    public string? NetworkdFileName { get; init; }

    /// <summary>systemd-networkd: whether its [Match] selects this interface alone (one exact name or this MAC), so a drop-in changes nothing else.</summary>
    public bool MatchesThisInterfaceOnly { get; init; }

    /// <summary>NetworkManager: the profile's <c>[ipv4]</c> and <c>[ipv6]</c> sections as written, empty when it has neither (both then default to automatic).</summary>
    public string? AddressSections { get; init; }

    /// <summary>ifupdown: whether the file has an <c>iface</c> stanza for the interface (not only <c>auto</c> or <c>allow-*</c> lines).</summary>
    public bool HasStanza { get; init; }

    /// <summary>For a message: <c>/etc/netplan/50-cloud-init.yaml (ethernets.eno49: dhcp4: true)</c>, or <c>192.0.2.10/24 on eno49 now</c>.</summary>
    public string Description => HostPath is null ? Sets : $"{HostPath} ({Sets})";
}
