namespace SriovPS.PfSettings;

/// <summary>
/// What a PF is to be set to; <c>null</c> leaves a setting as it is.
/// </summary>
/// <param name="LinkUp">The administrative state: <c>ip link set eno49 up</c> (true) or <c>down</c> (false).</param>
/// <param name="Mtu">The PF's MTU: <c>ip link set eno49 mtu 9000</c>.</param>
/// <param name="EswitchMode">The embedded switch's mode: <c>devlink dev eswitch set pci/ADDRESS mode switchdev</c>.</param>
/// <param name="DriversAutoprobe">Whether new VFs are bound to their driver as they are created (<c>sriov_drivers_autoprobe</c>).</param>
/// <param name="Persist">Whether the link state, MTU and hw-tc-offload are also written into the host's network configuration.</param>
/// <param name="Force">With <paramref name="Persist"/>: writes beside another configuration of the interface, keeping what it sets.</param>
/// <param name="HwTcOffload">TC flower offload on the PF and its representors: <c>ethtool -K eno49 hw-tc-offload on</c>.</param>
internal sealed record PfSettingsRequest(
    bool? LinkUp, int? Mtu, EswitchMode? EswitchMode, bool? DriversAutoprobe, bool Persist = false, bool Force = false, bool? HwTcOffload = null)
{
    /// <summary>Whether the link (its state or MTU) is to be set.</summary>
    public bool SetsLink => LinkUp is not null || Mtu is not null;

    /// <summary>Checks the request before any PF is read.</summary>
    /// <exception cref="SriovException">InvalidPfSetting: nothing is asked, -Persist has nothing to keep, or the MTU is out of range.</exception>
    public void Validate()
    {
        if (!SetsLink && EswitchMode is null && DriversAutoprobe is null && HwTcOffload is null)
        {
            throw Invalid("Name a setting to change: -LinkState, -Mtu, -EswitchMode, -DriversAutoprobe or -HwTcOffload.");
        }

        if (Persist && !SetsLink && HwTcOffload is null)
        {
            throw Invalid("-Persist records -LinkState and -Mtu, and -HwTcOffload where NetworkManager configures the PF, in the host's network configuration; name at least one of them. (Eswitch mode is not kept across reboots by the kernel; VF autoprobe persists with Enable-SriovVf -DriversAutoprobe -Persist.)");
        }

        PfLinkPlan.Validate(Mtu);
    }

    private static SriovException Invalid(string message) => new(ErrorCatalog.InvalidPfSetting, message);
}
