namespace SriovPS.VfCount;

/// <summary>What Enable-SriovVf or Disable-SriovVf asks of each PF.</summary>
/// <param name="Count">The VF count asked for (0 for Disable-SriovVf).</param>
/// <param name="DriversAutoprobe">sriov_drivers_autoprobe to set first; <c>null</c> leaves it.</param>
/// <param name="Disables">Disable-SriovVf, or a count of 0 asked: 0 VFs is allowed, and the PF's line in the rules file is removed.</param>
/// <param name="PreserveSettings">Restore the settings of the VFs that exist both before and after.</param>
/// <param name="AskBeforeDestroying">Ask once more before present VFs are destroyed to change their number (not with -Force).</param>
/// <param name="Persist">Also record the count in the module's udev rules file.</param>
/// <param name="PrepareRulesFirst">
/// Whether the rules file's new text is worked out and written beside it before any step is made (one
/// command, one PF at a time); otherwise when its step is made, from the text the file has then, as a
/// plan that edits the file for several PFs needs.
/// </param>
internal sealed record VfCountRequest(
    int Count,
    bool? DriversAutoprobe = null,
    bool Disables = false,
    bool PreserveSettings = false,
    bool AskBeforeDestroying = true,
    bool Persist = false,
    bool PrepareRulesFirst = true);
