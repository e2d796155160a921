using SriovPS.Values;

namespace SriovPS.VfSettings;

/// <summary>
/// The MACs <c>Set-SriovVf -MacAddress Auto</c> gives the VFs it names, worked out and checked for all of
/// them before anything is sent: each from its PF's MAC by <see cref="VfMacRule"/>, refused whole when a PF
/// has no MAC to start from, when one of them is another VF's MAC now (on any PF of the host) and that VF
/// is not given a new one in the same call, or when
/// two of them come out alike (PFs whose MACs fold alike).
/// </summary>
internal static class AutoMacAssignment
{
    /// <summary>VF (PF PCI address, index) → its MAC, for the VFs of <paramref name="targets"/> that exist.</summary>
    /// <exception cref="SriovException">A PF without a usable MAC, or a MAC that would be two VFs'; nothing has been sent.</exception>
    internal static Dictionary<(string Pf, int Index), byte[]> For(HostSession session, IEnumerable<(SriovPf Pf, int Index)> targets)
    {
        var macs = new Dictionary<(string Pf, int Index), byte[]>();
        // MAC → the VF to get it, and the PF MAC it came from.
        var owners = new Dictionary<string, (string Vf, string PfMac)>(StringComparer.OrdinalIgnoreCase);
        foreach (var (pf, index) in targets)
        {
            if (index >= pf.NumVfs || macs.ContainsKey((pf.PciAddress, index)))
            {
                // A VF that does not exist is refused on its own when it is planned.
                continue;
            }

            string label = $"{pf} vf {index}";
            string? source = VfMacRule.SourceOf(pf);
            string mac = VfMacRule.For(source, index) ?? throw NoPfMac(pf);
            if (!owners.TryAdd(mac, (label, source!)))
            {
                var (other, otherSource) = owners[mac];
                throw new SriovException(
                    ErrorCatalog.MacAddressInUse,
                    $"-MacAddress Auto would give {mac} to {other} and to {label}: their PFs' MACs ({otherSource}, {source}) derive the same addresses, and two VFs with one MAC break forwarding. Nothing was sent.",
                    label,
                    $"Give these VFs their MACs in full: Set-SriovVf -PfName {pf} -Index {index} -MacAddress <a MAC>.");
            }

            macs[(pf.PciAddress, index)] = MacAddress.TryParse(mac)!;
        }

        if (macs.Count > 0)
        {
            CheckAgainstPresentMacs(session, owners, macs);
        }

        return macs;
    }

    /// <summary>
    /// A MAC to give must not be another VF's now: the host's VFs, of every PF, as the kernel reports them,
    /// except those given a MAC in this call, which give up the one they have (so MACs may be swapped).
    /// </summary>
    private static void CheckAgainstPresentMacs(
        HostSession session, Dictionary<string, (string Vf, string PfMac)> owners, Dictionary<(string Pf, int Index), byte[]> given)
    {
        foreach (var pf in session.AllPfs())
        {
            foreach (var vf in session.VfsOf(pf))
            {
                if (vf.MacAddress is not { } present || !owners.TryGetValue(present, out var owner) || given.ContainsKey((pf.PciAddress, vf.Index)))
                {
                    continue;
                }

                throw new SriovException(
                    ErrorCatalog.MacAddressInUse,
                    $"-MacAddress Auto would give {owner.Vf} the MAC {present}, which {vf} has now: two VFs with one MAC break forwarding. Nothing was sent.",
                    owner.Vf,
                    $"Give {vf} another MAC (Set-SriovVf -PfName {pf} -Index {vf.Index} -MacAddress Auto, or a MAC of its own), or give {owner.Vf} its MAC in full.");
            }
        }
    }

    private static SriovException NoPfMac(SriovPf pf) => new(
        ErrorCatalog.PfMacAddressUnusable,
        $"-MacAddress Auto derives each VF's MAC from its PF's, and {pf} has none to start from (its permanent MAC is {pf.PermanentMacAddress ?? "not reported"}, its MAC {pf.MacAddress ?? "not readable"}). Nothing was sent.",
        pf.ToString(),
        $"Give {pf}'s VFs their MACs in full: Set-SriovVf -PfName {pf} -Index <n> -MacAddress <a MAC>.");
}
