using SriovPS.VfCount;

namespace SriovPS.Commands;

/// <summary>
/// <para type="synopsis">Removes all SR-IOV virtual functions (VFs) of a PF.</para>
/// <para type="description">The equivalent of <c>echo 0 &gt; /sys/class/net/eno49/device/sriov_numvfs</c>,
/// refusing while a guest or program holds a VF; with -Persist it also stops creating them at boot.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Disable, "SriovVf", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = ByPfNameSet)]
public sealed class DisableSriovVfCommand : VfCountCmdlet
{
    private protected override VfCountRequest Request => new(0, Disables: true, AskBeforeDestroying: false, Persist: Persist);
}
