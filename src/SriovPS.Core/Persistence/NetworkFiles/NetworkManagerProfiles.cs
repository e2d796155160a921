namespace SriovPS.Persistence.NetworkFiles;

/// <summary>
/// NetworkManager keyfile profiles bound to an interface, by <c>[connection] interface-name=</c> or by
/// <c>[ethernet] mac-address=</c>. NetworkManager activates one profile per device, so a second
/// profile for the same interface competes with the first: whichever it picks decides the addresses.
/// </summary>
internal static class NetworkManagerProfiles
{
    public static readonly string[] Directories = ["/etc/NetworkManager/system-connections", "/usr/lib/NetworkManager/system-connections"];

    /// <summary>Names NetworkManager skips in its keyfile directories: hidden files and editor or package leftovers.</summary>
    public static bool IsIgnoredName(string name) =>
        name.StartsWith('.') || name.EndsWith('~')
        || Array.Exists((string[])[".bak", ".orig", ".rej", ".swp", ".tmp", ".dpkg-old", ".dpkg-new", ".dpkg-dist", ".rpmnew", ".rpmsave"], name.EndsWith);

    /// <summary>The profile in <paramref name="text"/>, or <c>null</c> when it is not bound to the interface.</summary>
    public static OtherPfConfiguration? Read(string hostPath, string text, string interfaceName, string? macAddress)
    {
        var ini = IniSections.Parse(text);
        bool byName = ini.Last("connection", "interface-name") == interfaceName;
        string? mac = ini.Last("ethernet", "mac-address") ?? ini.Last("802-3-ethernet", "mac-address");
        bool byMac = mac is not null && macAddress is not null && string.Equals(mac, macAddress, StringComparison.OrdinalIgnoreCase);
        if (!byName && !byMac)
        {
            return null;
        }

        var parts = new List<string>();
        foreach (var section in (string[])["ipv4", "ipv6"])
        {
            parts.Add($"{section}.method={ini.Last(section, "method") ?? "auto"}");
            for (int i = 1; i <= 16; i++)
            {
                if ((ini.Last(section, "address" + i) ?? ini.Last(section, "addresses" + i)) is { Length: > 0 } address)
                {
                    parts.Add($"{section}.address{i}={address}");
                }
            }
        }

        string id = ini.Last("connection", "id") is { Length: > 0 } name ? $"profile '{name}', " : string.Empty;
        return new OtherPfConfiguration(HostNetworkManager.NetworkManager, hostPath, id + string.Join(", ", parts))
        {
            AddressSections = ini.Text("ipv4", "ipv6"),
        };
    }
}
