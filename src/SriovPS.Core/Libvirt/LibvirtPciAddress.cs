using System.Xml.Linq;
using SriovPS.Values;

namespace SriovPS.Libvirt;

/// <summary>
/// PCI addresses as libvirt writes them, <c>&lt;address domain='0x0000' bus='0x04' slot='0x10'
/// function='0x0'/&gt;</c>, to and from the sysfs form <c>0000:04:10.0</c>.
/// </summary>
internal static class LibvirtPciAddress
{
    /// <summary>The sysfs form of an address element, or null when it is not a complete PCI address.</summary>
    internal static string? Read(XElement address)
    {
        if ((string?)address.Attribute("type") is { } type && type != "pci")
        {
            return null;
        }

        if (!TryHex(address, "domain", 0xffff, out int domain) || !TryHex(address, "bus", 0xff, out int bus)
            || !TryHex(address, "slot", 0x1f, out int slot) || !TryHex(address, "function", 0x7, out int function))
        {
            return null;
        }

        return string.Create(CultureInfo.InvariantCulture, $"{domain:x4}:{bus:x2}:{slot:x2}.{function:x1}");
    }

    /// <summary>An <c>&lt;address type='pci' …/&gt;</c> element for <paramref name="pciAddress"/> (sysfs form).</summary>
    internal static XElement Element(string pciAddress)
    {
        string address = PciAddress.Normalize(pciAddress);
        return new XElement(
            "address",
            new XAttribute("type", "pci"),
            new XAttribute("domain", "0x" + address[..4]),
            new XAttribute("bus", "0x" + address[5..7]),
            new XAttribute("slot", "0x" + address[8..10]),
            new XAttribute("function", "0x" + address[11..]));
    }

    private static bool TryHex(XElement element, string name, int max, out int value)
    {
        value = 0;
        string? text = (string?)element.Attribute(name);
        if (text is null)
        {
            return false;
        }

        var digits = text.AsSpan();
        bool hex = digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase);
        bool parsed = hex
            ? int.TryParse(digits[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value)
            : int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out value);
        return parsed && value >= 0 && value <= max;
    }
}
