namespace SriovPS.VfSettings;

/// <summary>
/// The MAC a VF gets for the configuration document's <c>"mac": "auto"</c> and for <c>Set-SriovVf -MacAddress Auto</c>:
/// worked out from its PF's MAC (<see cref="SourceOf"/>) and its index alone, so it is the same on every apply
/// and after every boot. The VFs of the ports of one NIC, and of NICs whose MACs differ in their last three
/// octets, never share one; PFs alike there whose first octets fold alike would, which the document's check
/// of its MACs and <see cref="AutoMacAssignment"/> refuse.
/// <code>
/// octet 0   the PF's first three octets folded into six bits, then locally administered (bit 1) and unicast (bit 0 clear)
/// octets 1–3 the PF's last three octets (the part a vendor numbers its ports by)
/// octets 4–5 the VF's index
/// </code>
/// A locally administered address never equals a burned-in one, so a VF's MAC cannot clash with a NIC's.
/// </summary>
internal static class VfMacRule
{
    /// <summary>
    /// The PF's MAC the rule starts from: the one its NIC came with (the kernel's permanent address), so a
    /// bond that lends its ports one MAC, or a MAC set by hand, changes nothing; where the kernel does not
    /// report it (a copied tree, kernels before 5.6), the MAC the PF has.
    /// </summary>
    public static string? SourceOf(SriovPf pf) => pf.PermanentMacAddress is { } permanent && permanent != "00:00:00:00:00:00" ? permanent : pf.MacAddress;

    /// <summary>The MAC of VF <paramref name="index"/> of the PF whose MAC is <paramref name="pfMac"/>, or null when that is not a MAC.</summary>
    public static string? For(string? pfMac, int index)
    {
        if (Values.MacAddress.TryParse(pfMac) is not { } pf || Array.TrueForAll(pf, static b => b == 0))
        {
            return null;
        }

        int folded = (pf[0] ^ pf[1] ^ pf[2]) & 0xFC;
        byte[] vf = [(byte)(folded | 0x02), pf[3], pf[4], pf[5], (byte)(index >> 8), (byte)index];
        return string.Join(':', vf.Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
    }
}
