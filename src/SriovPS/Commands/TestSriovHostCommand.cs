using SriovPS.Completion;
using SriovPS.Libvirt;
using SriovPS.Readiness;

namespace SriovPS.Commands;

/// <summary>
/// <para type="synopsis">Checks whether the host can give VFs to libvirt guests (IOMMU, vfio, each PF, libvirt, AppArmor, pools and guests), or to KubeVirt, Kata, Docker or Open vSwitch offload (-For), and says how to fix what is not ready.</para>
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

    /// <summary>
    /// What the VFs are for: <c>Libvirt</c> (the default), <c>KubeVirt</c>, <c>Kata</c>, <c>Docker</c> or <c>OvsOffload</c>.
    /// Each consumer has its own checks; only <c>Libvirt</c> reads libvirt.
    /// </summary>
    [Parameter]
    public SriovConsumer For { get; set; } = SriovConsumer.Libvirt;

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

    // Open vSwitch offload judges each PF's eswitch mode and features, which only the kernel knows.
    protected override bool ReadsPfKernelState => For == SriovConsumer.OvsOffload;

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
        // PFs piped in narrow the run even when none arrived (an empty pipeline selects no PF, not all).
        List<SriovPf>? selectedPfs = _pfNames.Count > 0 ? SelectNamedPfs([.. _pfNames])
            : (MyInvocation.ExpectingInput && !_poolsPiped) || _pfNamesGiven ? []
            : null;
        _selectionFailed |= selectedPfs is { Count: 0 };

        var run = new HostCheckRun(Session, Uri ?? LibvirtUri.Default(), For);
        var networks = SelectNetworks(run);
        var checks = run.Run(selectedPfs, networks);
        var changes = new List<SriovHostChange>();
        if (Fix && run.Fixes(checks) is { } plan)
        {
            var result = ApplyPlan(plan);
            changes.AddRange(result.Changes);
            foreach (var change in changes)
            {
                WriteVerbose($"{change.Path}: {change.Summary}{(change.RebootRequired ? " (takes effect after a reboot)" : "")}.");
            }

            if (result.Made.Count > 0)
            {
                // Read again: the fixes changed links, files and VFs' drivers' state.
                Session.ForgetPfs();
                selectedPfs = selectedPfs?.Select(p => Session.AllPfs(includeNotCapable: true).Find(n => n.PciAddress == p.PciAddress) ?? p).ToList();
                checks = run.Run(selectedPfs, networks);
            }
        }

        if (Quiet)
        {
            WriteObject(!_selectionFailed && !checks.Any(c => c.Status == SriovCheckStatus.Fail));
            return;
        }

        // One line for the eye, on the host (the information stream, never the output); then the checks, failures
        // first, so they keep their table; then the files -Fix changed, which the console shows as lists after it.
        WriteInformation(new HostInformationMessage { Message = HostReadiness.Summary(checks, changes.Count, For) }, ["PSHOST"]);
        WriteObject(checks, enumerateCollection: true);
        WriteObject(changes, enumerateCollection: true);
    }

    /// <summary>The PFs <paramref name="names"/> select, each name that selects none reported and remembered for -Quiet.</summary>
    private List<SriovPf> SelectNamedPfs(string[] names)
    {
        var selected = Session.SelectPfs(names, includeNotCapable: true, out bool everyNameSelected);
        _selectionFailed |= !everyNameSelected;
        return selected;
    }

    /// <summary>The pools -Network names (each name that selects none reported); null when not narrowed.</summary>
    private HashSet<string>? SelectNetworks(HostCheckRun run)
    {
        if (_networkNames.Count == 0 && Network is null)
        {
            return null;
        }

        if (!run.PoolsKnown)
        {
            _selectionFailed = true;
            WriteWarning(For == SriovConsumer.Libvirt
                ? "-Network narrows nothing: libvirt was not read, so its pools are not known (and -Quiet answers $false for them)."
                : $"-Network narrows nothing: -For {For} does not read libvirt, whose pools it names (and -Quiet answers $false for them).");
            return null;
        }

        var networks = NameSelection.Networks(run.Libvirt!.Pools, [.. _networkNames], e =>
        {
            _selectionFailed = true;
            WriteSriovError(e);
        }).Select(n => n.Name).ToHashSet();
        _selectionFailed |= networks.Count == 0;
        return networks;
    }
}
