using System.Xml.Linq;

namespace SriovPS.Libvirt.Guests;

/// <summary>
/// How many PCI slots of a guest can take a device hot-plugged now, from its XML: every empty
/// <c>pcie-root-port</c> or switch downstream port (one slot each), and the empty slots of a
/// conventional PCI bus (<c>pci-root</c>, <c>pci-bridge</c>, <c>pcie-to-pci-bridge</c>: 1–31).
/// The PCIe root bus takes no hot-plug, which is why a q35 guest without a spare root port fails
/// a live attach with "No more available PCI slots".
/// </summary>
internal static class GuestPciSlots
{
    private static readonly HashSet<string> OneSlotPorts = new(StringComparer.Ordinal) { "pcie-root-port", "pcie-switch-downstream-port" };
    private static readonly HashSet<string> ConventionalBuses = new(StringComparer.Ordinal) { "pci-root", "pci-bridge", "pcie-to-pci-bridge" };

    /// <summary>The free hot-plug slots among <paramref name="devices"/> (the domain's <c>&lt;devices&gt;</c>).</summary>
    public static int FreeHotplug(XElement devices)
    {
        // A device's own place is its direct <address>; a hostdev's <source><address> is the host's.
        var used = new HashSet<(int Bus, int Slot)>();
        foreach (var device in devices.Elements())
        {
            if (device.Element("address") is { } address && (string?)address.Attribute("type") == "pci"
                && Number(address, "bus") is int bus && Number(address, "slot") is int slot)
            {
                used.Add((bus, slot));
            }
        }

        int free = 0;
        foreach (var controller in devices.Elements("controller").Where(c => (string?)c.Attribute("type") == "pci"))
        {
            if (Number(controller, "index") is not int index || (string?)controller.Element("target")?.Attribute("hotplug") == "off")
            {
                continue;
            }

            string model = (string?)controller.Attribute("model") ?? "";
            if (OneSlotPorts.Contains(model))
            {
                free += used.Contains((index, 0)) ? 0 : 1;
            }
            else if (ConventionalBuses.Contains(model))
            {
                free += Enumerable.Range(1, 31).Count(slot => !used.Contains((index, slot)));
            }
        }

        return free;
    }

    private static int? Number(XElement element, string attribute)
    {
        string? text = (string?)element.Attribute(attribute);
        if (text is null)
        {
            return null;
        }

        bool hex = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase);
        return int.TryParse(hex ? text[2..] : text, hex ? NumberStyles.HexNumber : NumberStyles.None, CultureInfo.InvariantCulture, out int value)
            ? value
            : null;
    }
}
