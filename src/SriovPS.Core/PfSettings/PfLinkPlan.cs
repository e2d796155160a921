using SriovPS.Kernel;
using SriovPS.Native.Netlink;

namespace SriovPS.PfSettings;

/// <summary>One change to a PF's interface, with the <c>ip link</c> words that do the same.</summary>
internal sealed record PfLinkChange(string IpArguments, NetlinkMessageBuilder Request);

/// <summary>
/// What to send a PF's interface for a wanted administrative state and MTU, against what the kernel
/// reports now: only what differs, the MTU first (some drivers reset the link to apply it, so a link
/// brought up afterwards stays up) and the state last.
/// </summary>
internal sealed class PfLinkPlan
{
    /// <summary>Ethernet's smallest MTU that still carries IPv4 (RFC 791); the kernel refuses less on most drivers.</summary>
    public const int MinMtu = 68;

    /// <summary>IFLA_MTU is a u32, but no Ethernet driver allows more than 64 KiB.</summary>
    public const int MaxMtu = 65535;

    private PfLinkPlan()
    {
    }

    public List<PfLinkChange> Changes { get; } = [];

    /// <summary>What already was as asked, for -Verbose.</summary>
    public List<string> Unchanged { get; } = [];

    /// <summary>The administrative state before, when the plan changes it: what taking the change back restores.</summary>
    public bool? UpBefore { get; private set; }

    /// <summary>The MTU before, when the plan changes it and the kernel said what it was.</summary>
    public int? MtuBefore { get; private set; }

    /// <summary>Checks the values before anything is read or sent.</summary>
    /// <exception cref="SriovException">The MTU is out of range.</exception>
    public static void Validate(int? mtu)
    {
        if (mtu is < MinMtu or > MaxMtu)
        {
            throw new SriovException(
                ErrorCatalog.InvalidPfSetting,
                $"-Mtu {mtu} is out of range: an Ethernet MTU is from {MinMtu} to {MaxMtu} bytes (drivers allow less: 9000 or 9216 is the usual jumbo limit).",
                mtu);
        }
    }

    /// <summary>The plan against the interface as <paramref name="links"/> reads it now; <c>null</c> when it could not be read (already reported).</summary>
    public static PfLinkPlan? For(KernelLinks links, string name, bool? up, int? mtu) =>
        links.Read(name) is { } now ? For(name, now, up, mtu) : null;

    /// <summary>
    /// The plan that brings back what this one changed (the MTU and state before), against the interface
    /// as <paramref name="links"/> reads it now; <c>null</c> when it could not be read (already reported).
    /// </summary>
    public PfLinkPlan? Reversal(KernelLinks links, string name) => For(links, name, UpBefore, MtuBefore);

    /// <param name="name">The PF's interface.</param>
    /// <param name="now">The kernel's description of it now.</param>
    public static PfLinkPlan For(string name, LinkInfo now, bool? up, int? mtu)
    {
        Validate(mtu);
        var plan = new PfLinkPlan();
        if (mtu is int wanted)
        {
            if (now.Mtu == (uint)wanted)
            {
                plan.Unchanged.Add($"{name} already has MTU {wanted}");
            }
            else
            {
                string words = "mtu " + wanted.ToString(CultureInfo.InvariantCulture);
                plan.MtuBefore = (int?)now.Mtu;
                plan.Changes.Add(new PfLinkChange(words, LinkChanges.BuildSetMtu(name, (uint)wanted)));
            }
        }

        if (up is bool bringUp)
        {
            bool isUp = (now.Flags & LinkChanges.IFF_UP) != 0;
            if (isUp == bringUp)
            {
                plan.Unchanged.Add($"{name} is already administratively {(bringUp ? "up" : "down")}");
            }
            else
            {
                plan.UpBefore = isUp;
                plan.Changes.Add(new PfLinkChange(bringUp ? "up" : "down", LinkChanges.BuildSetAdminState(name, bringUp)));
            }
        }

        return plan;
    }
}
