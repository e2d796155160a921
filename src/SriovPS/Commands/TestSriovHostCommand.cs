using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using SriovPS.AppArmor;
using SriovPS.Completion;
using SriovPS.Discovery;
using SriovPS.Errors;
using SriovPS.Kernel;
using SriovPS.Libvirt;
using SriovPS.Readiness;
using SriovPS.Values;

namespace SriovPS.Commands;

/// <summary>
/// <para type="synopsis">Checks whether the host can give VFs to guests — IOMMU, vfio, each PF, libvirt, AppArmor, pools and guests — and says how to fix what is not ready.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "SriovHost", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(SriovHostCheck), typeof(SriovHostChange), typeof(bool))]
public sealed class TestSriovHostCommand : SriovCmdlet
{
    private readonly List<string> _pfNames = [];
    private readonly List<string> _networkNames = [];
    private bool _pfNamesGiven;
    private bool _poolsPiped;

    // A name that selected nothing, or a -Network that could not be looked up: -Quiet cannot vouch for it.
    private bool _selectionFailed;

    /// <summary>Only these PFs (and the pools and guests that use them); wildcards allowed.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [SupportsWildcards]
    [AllowNull, AllowEmptyString, AllowEmptyCollection]
    [ArgumentCompleter(typeof(PfNameCompleter))]
    public string[]? PfName { get; set; }

    /// <summary>Only these SR-IOV networks (and their PFs and guests); wildcards allowed. A pool piped in binds its name here.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [AllowNull, AllowEmptyString, AllowEmptyCollection]
    [ArgumentCompleter(typeof(LibvirtNetworkNameCompleter))]
    public string[]? Network { get; set; }

    /// <summary>The libvirt to check; <c>$env:LIBVIRT_DEFAULT_URI</c>, else <c>qemu:///system</c>.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Uri { get; set; }

    /// <summary>
    /// Returns only <c>$true</c> when no check fails and every name given selected something, else <c>$false</c>.
    /// </summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    /// <summary>
    /// Makes the remedies that are SriovPS changes (Enable-SriovIommu, Repair-VfioAppArmor, a PF's link
    /// brought up and persisted), each asked about on its own (ConfirmImpact High: asked at the default
    /// $ConfirmPreference; -Confirm:$false makes them unasked), then returns the files changed
    /// (SriovHostChange) and the checks made again.
    /// </summary>
    [Parameter]
    public SwitchParameter Fix { get; set; }

    protected override void ProcessRecord()
    {
        if (!AcceptPipedObject())
        {
            return;
        }

        // Names may arrive one by one through the pipeline; the checks run once, at the end. An
        // interface on no pool binds an empty network name, which narrows nothing.
        foreach (var network in Network ?? [])
        {
            if (!string.IsNullOrEmpty(network) && !_networkNames.Contains(network))
            {
                _networkNames.Add(network);
            }
        }

        if (!MyInvocation.ExpectingInput && Network is not null && _networkNames.Count == 0)
        {
            _selectionFailed = true;
            WriteSriovError(LibvirtErrors.NoNetworkNamed("check every pool"));
        }

        // A pool piped in names its network; its Name, bound to -PfName through the alias, names no PF,
        // and its PFs are those the pool's checks select.
        bool poolPiped = PipedType("LibvirtSriovNetwork");
        _poolsPiped |= poolPiped;
        if (MyInvocation.BoundParameters.ContainsKey(nameof(PfName)) && !poolPiped)
        {
            _pfNamesGiven = true;
            var given = GivenNames(PfName, nameof(PfName)) ?? [];
            _selectionFailed |= given.Length == 0 || given.Length < (PfName?.Length ?? 0);
            _pfNames.AddRange(given);
        }
    }

    protected override void EndProcessing()
    {
        string uri = Uri ?? LibvirtUri.Default();
        // PFs piped in narrow the run even when none arrived (an empty pipeline selects no PF, not all).
        List<SriovPf>? selectedPfs = _pfNames.Count > 0 ? SelectNamedPfs([.. _pfNames])
            : (MyInvocation.ExpectingInput && !_poolsPiped) || _pfNamesGiven ? []
            : null;
        _selectionFailed |= selectedPfs is { Count: 0 };

        LibvirtFacts? libvirt = null;
        if (TargetHost.IsLiveHost)
        {
            if (LibvirtUri.IsRemote(uri))
            {
                WriteWarning($"{uri} names another machine: its pools and guests are checked, but the IOMMU, vfio, PF and configuration checks read this one.");
            }

            libvirt = LibvirtFacts.Read(uri, LibvirtUri.IsRemote(uri) ? null : Session.PfVfAddresses(Session.AllPfs()));
            WriteVerbose(libvirt.Failure is null ? $"Read libvirt at {uri}." : $"libvirt at {uri} could not be read: {libvirt.Failure.Message}");
        }

        HashSet<string>? networks = null;
        if (_networkNames.Count > 0 || Network is not null)
        {
            if (libvirt is { Failure: null })
            {
                networks = NameSelection.Networks(libvirt.Pools, [.. _networkNames], e =>
                {
                    _selectionFailed = true;
                    WriteSriovError(e);
                }).Select(n => n.Name).ToHashSet();
                _selectionFailed |= networks.Count == 0;
            }
            else
            {
                _selectionFailed = true;
                WriteWarning("-Network narrows nothing: libvirt was not read, so its pools are not known (and -Quiet answers $false for them).");
            }
        }

        var checks = Run(selectedPfs, networks, libvirt, uri);
        var changes = new List<SriovHostChange>();
        if (Fix && FixNamed(checks, libvirt, uri, changes) > 0)
        {
            // Read again: the fixes changed links, files and VFs' drivers' state.
            Session.ForgetPfs();
            selectedPfs = selectedPfs is null ? null : selectedPfs.Select(p => Session.AllPfs(includeNotCapable: true).Find(n => n.PciAddress == p.PciAddress) ?? p).ToList();
            checks = Run(selectedPfs, networks, libvirt, uri);
        }

        if (Quiet)
        {
            WriteObject(!_selectionFailed && !checks.Any(c => c.Status == SriovCheckStatus.Fail));
            return;
        }

        // One line for the eye, on the host (the information stream, never the output); then the checks, failures
        // first, so they keep their table; then the files -Fix changed, which the console shows as lists after it.
        WriteInformation(new HostInformationMessage { Message = HostReadiness.Summary(checks, changes.Count) }, ["PSHOST"]);
        foreach (var check in checks)
        {
            WriteObject(check);
        }

        foreach (var change in changes)
        {
            WriteObject(change);
        }
    }

    /// <summary>The PFs <paramref name="names"/> select, each name that selects none reported (as SelectPfs does) and remembered for -Quiet.</summary>
    private List<SriovPf> SelectNamedPfs(string[] names)
    {
        var patterns = Session.ParsePatterns(names, name =>
        {
            InterfaceName.Validate(name);
            return NamePattern.Parse(name);
        })!;
        _selectionFailed |= patterns.Count < names.Length;
        if (patterns.Count == 0)
        {
            return [];
        }

        var (selected, errors) = PfSelection.Select(Session.AllPfs(includeNotCapable: true), patterns, PfKey.Name);
        foreach (var error in errors)
        {
            _selectionFailed = true;
            WriteSriovError(error);
        }

        return selected;
    }

    private List<SriovHostCheck> Run(List<SriovPf>? selectedPfs, HashSet<string>? networks, LibvirtFacts? libvirt, string uri) =>
        HostReadiness.Run(new HostReadinessInput
        {
            Files = TargetHost.Files,
            Pfs = Session.AllPfs(),
            SelectedPfs = selectedPfs,
            SelectedNetworks = networks,
            VfsOf = pf => Session.Discovery.GetVfs(pf),
            Libvirt = libvirt,
            Uri = uri,
        });

    /// <summary>Makes the repairs the checks name, each asked about, adding the files changed to <paramref name="changes"/>; returns how many changes were made.</summary>
    private int FixNamed(List<SriovHostCheck> checks, LibvirtFacts? libvirt, string uri, List<SriovHostChange> changes)
    {
        var repairs = HostRepairs.Named(checks);
        if (repairs.Count == 0)
        {
            WriteVerbose("No check names a remedy SriovPS can make.");
            return 0;
        }

        var poolGroups = libvirt is { Failure: null } && !LibvirtUri.IsRemote(uri)
            ? HostReadiness.GroupsInUse(Session.AllPfs(), libvirt.Pools, pf => Session.Discovery.GetVfs(pf))
            : null;
        var plan = new HostRepairs(Session)
            .For(repairs, poolGroups, name => Session.AllPfs(includeNotCapable: true).Find(p => p.Name == name)?.Driver);
        var result = ApplyPlan(plan);
        changes.AddRange(result.Changes);
        foreach (var change in changes)
        {
            WriteVerbose($"{change.Path}: {change.Summary}{(change.RebootRequired ? " (takes effect after a reboot)" : "")}.");
        }

        return result.Made.Count;
    }
}
