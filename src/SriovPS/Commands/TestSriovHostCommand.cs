using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using SriovPS.Completion;
using SriovPS.Host;
using SriovPS.Host.Readiness;
using SriovPS.Host.Repair;
using SriovPS.Libvirt;

namespace SriovPS.Commands;

/// <summary>
/// <para type="synopsis">Checks whether the host can give VFs to guests — IOMMU, vfio, each PF, libvirt, AppArmor, pools and guests — and says how to fix what is not ready.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "SriovHost", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(SriovHostCheck), typeof(bool))]
public sealed class TestSriovHostCommand : SriovCmdlet
{
    private readonly List<string> _pfNames = [];
    private bool _pfNamesGiven;

    /// <summary>Only these PFs (and the pools and guests that use them); wildcards allowed.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [SupportsWildcards]
    [AllowNull, AllowEmptyString, AllowEmptyCollection]
    [ArgumentCompleter(typeof(PfNameCompleter))]
    public string[]? PfName { get; set; }

    /// <summary>Only these SR-IOV networks (and their PFs and guests); wildcards allowed.</summary>
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(LibvirtNetworkNameCompleter))]
    public string[]? Network { get; set; }

    /// <summary>The libvirt to check; <c>$env:LIBVIRT_DEFAULT_URI</c>, else <c>qemu:///system</c>.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Uri { get; set; }

    /// <summary>Returns only <c>$true</c> when no check fails, else <c>$false</c>.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    /// <summary>
    /// Makes the remedies that are SriovPS changes (Enable-SriovIommu, Repair-VfioAppArmor, a PF's link
    /// brought up and persisted), each confirmed on its own, then checks again and returns the new results.
    /// </summary>
    [Parameter]
    public SwitchParameter Fix { get; set; }

    protected override void ProcessRecord()
    {
        if (!AcceptPipedObject())
        {
            return;
        }

        // Names may arrive one by one through the pipeline; the checks run once, at the end.
        if (MyInvocation.BoundParameters.ContainsKey(nameof(PfName)))
        {
            _pfNamesGiven = true;
            _pfNames.AddRange(GivenNames(PfName, nameof(PfName)) ?? []);
        }
    }

    protected override void EndProcessing()
    {
        string uri = Uri ?? LibvirtUri.Default();
        // PFs piped in narrow the run even when none arrived (an empty pipeline selects no PF, not all).
        List<SriovPf>? selectedPfs = _pfNames.Count > 0 ? SelectPfs([.. _pfNames], includeNotCapable: true)
            : MyInvocation.ExpectingInput || _pfNamesGiven ? []
            : null;

        LibvirtFacts? libvirt = null;
        if (TargetHost.IsLiveHost)
        {
            if (LibvirtUri.IsRemote(uri))
            {
                WriteWarning($"{uri} names another machine: its pools and guests are checked, but the IOMMU, vfio, PF and configuration checks read this one.");
            }

            libvirt = LibvirtFacts.Read(uri, LibvirtUri.IsRemote(uri) ? null : PfVfAddresses(AllPfs()));
            WriteVerbose(libvirt.Failure is null ? $"Read libvirt at {uri}." : $"libvirt at {uri} could not be read: {libvirt.Failure.Message}");
        }

        HashSet<string>? networks = null;
        if (Network is not null)
        {
            if (libvirt is { Failure: null })
            {
                networks = NameSelection.Networks(libvirt.Pools, Network, WriteSriovError).Select(n => n.Name).ToHashSet();
            }
            else
            {
                WriteWarning("-Network narrows nothing: libvirt was not read, so its pools are not known.");
            }
        }

        var checks = Run(selectedPfs, networks, libvirt, uri);
        if (Fix && FixNamed(checks, libvirt, uri) > 0)
        {
            // Read again: the fixes changed links, files and VFs' drivers' state.
            ForgetPfs();
            selectedPfs = selectedPfs is null ? null : selectedPfs.Select(p => AllPfs(includeNotCapable: true).Find(n => n.PciAddress == p.PciAddress) ?? p).ToList();
            checks = Run(selectedPfs, networks, libvirt, uri);
        }

        if (Quiet)
        {
            WriteObject(!checks.Any(c => c.Status == SriovCheckStatus.Fail));
            return;
        }

        foreach (var check in checks)
        {
            WriteObject(check);
        }
    }

    private List<SriovHostCheck> Run(List<SriovPf>? selectedPfs, HashSet<string>? networks, LibvirtFacts? libvirt, string uri) =>
        HostReadiness.Run(new HostReadinessInput
        {
            Files = TargetHost.Files,
            Pfs = AllPfs(),
            SelectedPfs = selectedPfs,
            SelectedNetworks = networks,
            VfsOf = pf => Discovery.GetVfs(pf),
            Libvirt = libvirt,
            Uri = uri,
        });

    /// <summary>Makes the repairs the checks name, each asked about; returns how many changes were made.</summary>
    private int FixNamed(List<SriovHostCheck> checks, LibvirtFacts? libvirt, string uri)
    {
        var repairs = HostRepairs.Named(checks);
        if (repairs.Count == 0)
        {
            WriteVerbose("No check names a remedy SriovPS can make.");
            return 0;
        }

        var poolGroups = libvirt is { Failure: null } && !LibvirtUri.IsRemote(uri)
            ? HostReadiness.GroupsInUse(AllPfs(), libvirt.Pools, pf => Discovery.GetVfs(pf))
            : null;
        var plan = new HostRepairs(TargetHost.Files, TargetHost.IsLiveHost ? KernelLinks : null)
            .For(repairs, poolGroups, name => AllPfs(includeNotCapable: true).Find(p => p.Name == name)?.Driver);
        var changed = ApplyRepairs(plan, out int made);
        foreach (var change in changed)
        {
            WriteVerbose($"{change.Path}: {change.Summary}{(change.RebootRequired ? " (takes effect after a reboot)" : "")}.");
        }

        return made;
    }
}
