namespace SriovPS.Persistence;

/// <summary>The program that configures the host's network at boot, whose files the module writes for a PF.</summary>
internal enum HostNetworkManager
{
    /// <summary>None of the others was found: nothing would read a file the module wrote.</summary>
    None,

    /// <summary>netplan, which renders its YAML for systemd-networkd or NetworkManager.</summary>
    Netplan,

    /// <summary>NetworkManager, with keyfile connection profiles.</summary>
    NetworkManager,

    /// <summary>systemd-networkd, with <c>.network</c> files.</summary>
    SystemdNetworkd,

    /// <summary>Debian's ifupdown (or ifupdown2), with <c>/etc/network/interfaces</c> stanzas.</summary>
    Ifupdown,
}
