namespace SriovPS.VfCount;

/// <summary>What Enable-SriovVf or Disable-SriovVf asks of each PF.</summary>
/// <param name="Count">The VF count asked for (0 for Disable-SriovVf).</param>
/// <param name="DriversAutoprobe">sriov_drivers_autoprobe to set first; <c>null</c> leaves it.</param>
/// <param name="Disables">Disable-SriovVf: 0 VFs is allowed, and destroying them needs no second question.</param>
/// <param name="PreserveSettings">Restore the settings of the VFs that exist both before and after.</param>
/// <param name="AskBeforeDestroying">Ask once more before present VFs are destroyed to change their number (not with -Force).</param>
/// <param name="Persist">Also record the count in the module's udev rules file.</param>
internal sealed record VfCountRequest(
    int Count, bool? DriversAutoprobe = null, bool Disables = false, bool PreserveSettings = false, bool AskBeforeDestroying = true, bool Persist = false);
