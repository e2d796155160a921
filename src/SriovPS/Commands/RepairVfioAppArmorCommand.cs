using SriovPS.AppArmor;
using SriovPS.Readiness;

namespace SriovPS.Commands;

/// <summary>
/// <para type="synopsis">Lets QEMU open the vfio groups of the VFs guests are given, in AppArmor's local libvirt-qemu abstraction, and reloads the running guests' profiles.</para>
/// <para type="description">The fix for "failed to open /dev/vfio/N: Permission denied": rules in /etc/apparmor.d/local/abstractions/libvirt-qemu for the groups of the VFs in SR-IOV pools, or the groups given, or every group with -AllGroups.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Repair, "VfioAppArmor", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = GroupSet)]
[OutputType(typeof(SriovHostChange))]
public sealed class RepairVfioAppArmorCommand : SriovCmdlet
{
    private const string GroupSet = "ByGroup";
    private const string AllGroupsSet = "AllGroups";

    /// <summary>These IOMMU groups (<c>/dev/vfio/N</c>); without them, the groups of the VFs in this machine's SR-IOV pools.</summary>
    [Parameter(ParameterSetName = GroupSet, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateRange(0, int.MaxValue)]
    public int[]? IommuGroup { get; set; }

    /// <summary>Every vfio group (<c>/dev/vfio/* rw,</c>): QEMU may then open any device given to vfio, not only VFs.</summary>
    [Parameter(ParameterSetName = AllGroupsSet, Mandatory = true)]
    public SwitchParameter AllGroups { get; set; }

    private readonly SortedSet<int> _groups = [];

    protected override void ProcessRecord()
    {
        if (!AcceptPipedObject())
        {
            return;
        }

        // Groups may arrive one VF at a time (Get-SriovVf | Repair-VfioAppArmor); the file is written once.
        foreach (var group in IommuGroup ?? [])
        {
            _groups.Add(group);
        }
    }

    protected override void EndProcessing()
    {
        // Groups given or piped (an empty pipeline gives none); otherwise the pools' groups. A group
        // that does not exist, or pools that cannot be read, end the command before anything is written.
        List<VfioGroupNeed> needs = [];
        try
        {
            needs = AllGroups ? []
                : _groups.Count > 0 || MyInvocation.ExpectingInput ? VfioGroupNeeds.Given(Session, _groups)
                : VfioGroupNeeds.OfPools(Session, WhatIfGiven);
        }
        catch (SriovException e)
        {
            ThrowSriovError(e);
        }

        var plan = new HostRepairs(Session).VfioAppArmor(needs, AllGroups);
        // Files that needed no change are reported too; a declined or failed change is not.
        var changes = ApplyPlan(plan).Changes;

        foreach (var change in plan.Unchanged.Concat(changes).OrderBy(c => c.Path == LibvirtChecks.Abstraction ? 0 : 1))
        {
            WriteObject(change);
        }
    }
}
