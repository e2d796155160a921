using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using SriovPS.AppArmor;
using SriovPS.Errors;
using SriovPS.Hosting;
using SriovPS.Libvirt;
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
        // Groups given or piped (an empty pipeline gives none); otherwise the pools' groups.
        var needs = AllGroups ? []
            : _groups.Count > 0 || MyInvocation.ExpectingInput ? GivenGroups()
            : PoolGroups();

        var plan = new HostRepairs(Session).VfioAppArmor(needs, AllGroups);
        // Files that needed no change are reported too; a declined or failed change is not.
        var changes = ApplyPlan(plan).Changes;

        foreach (var change in plan.Unchanged.Concat(changes).OrderBy(c => c.Path == LibvirtChecks.Abstraction ? 0 : 1))
        {
            WriteObject(change);
        }
    }

    /// <summary>The groups given, each with the devices it holds now; a group that does not exist ends the command before anything is written.</summary>
    private List<VfioGroupNeed> GivenGroups()
    {
        var needs = new List<VfioGroupNeed>();
        foreach (int group in _groups)
        {
            if (VfioGroupRules.DevicesOf(TargetHost.Files, group) is not { Count: > 0 } devices)
            {
                ThrowSriovError(new SriovException(
                    ErrorCatalog.IommuGroupNotFound,
                    string.Create(CultureInfo.InvariantCulture, $"There is no IOMMU group {group} with devices on this host (/sys/kernel/iommu_groups/{group}), so nothing was written."),
                    group,
                    "Get-SriovVf shows each VF's IommuGroup."));
                return [];
            }

            needs.Add(new VfioGroupNeed(group, devices[0], string.Create(CultureInfo.InvariantCulture, $"IOMMU group {group} given to Repair-VfioAppArmor, holding {HostText.Join(devices)}")));
        }

        return needs;
    }

    /// <summary>The groups of the VFs the host's SR-IOV pools hand out, read from this machine's libvirt.</summary>
    private List<VfioGroupNeed> PoolGroups()
    {
        if (!TargetHost.IsLiveHost)
        {
            ThrowSriovError(LiveHostRequired(TargetHost.Root,
                "the VFs of SR-IOV pools are known from this machine's libvirt, which is not read for a copied tree. Give -IommuGroup or -AllGroups."));
        }

        string uri = LibvirtUri.Default();
        if (LibvirtUri.IsRemote(uri))
        {
            uri = LibvirtUri.System;
        }

        var facts = LibvirtFacts.Read(uri, Session.PfVfAddresses(Session.AllPfs()));
        if (facts.Failure is { } failure)
        {
            ThrowSriovError(failure);
        }

        var needs = HostReadiness.GroupsInUse(Session.AllPfs(), facts.Pools, pf => Session.Discovery.GetVfs(pf));
        WriteVerbose(needs.Count == 0
            ? $"No SR-IOV pool in {uri} hands out a VF, so no group needs a rule; rules written earlier for groups that changed are dropped."
            : $"The VFs of the pools in {uri} are in IOMMU groups {string.Join(", ", needs.Select(n => n.Group))}.");
        return needs;
    }
}
