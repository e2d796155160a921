using SriovPS.Completion;
using SriovPS.Discovery;
using SriovPS.Values;

namespace SriovPS.Commands;

/// <summary>
/// <para type="synopsis">Lists the SR-IOV physical functions (PFs) of the host.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "SriovPf", DefaultParameterSetName = ByNameSet)]
[OutputType(typeof(SriovPf))]
public sealed class GetSriovPfCommand : SriovCmdlet
{
    private const string ByNameSet = "ByName";
    private const string ByPciAddressSet = "ByPciAddress";

    /// <summary>Interface names of PFs; wildcards allowed.</summary>
    [Parameter(ParameterSetName = ByNameSet, Position = 0, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [AllowNull, AllowEmptyString, AllowEmptyCollection]
    [ArgumentCompleter(typeof(PfNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>PCI addresses of PFs, with or without the domain; wildcards allowed.</summary>
    [Parameter(ParameterSetName = ByPciAddressSet, Mandatory = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? PciAddress { get; set; }

    /// <summary>Only PFs bound to these drivers; wildcards allowed.</summary>
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Driver { get; set; }

    /// <summary>Also list network PCI functions without SR-IOV, with SriovSupport NotCapable.</summary>
    [Parameter]
    public SwitchParameter IncludeNotCapable { get; set; }

    protected override bool ReadsPfKernelState => true;

    protected override void ProcessRecord()
    {
        if (!AcceptPipedObject())
        {
            return;
        }

        var drivers = Session.ParsePatterns(Driver, NamePattern.Parse);
        if (drivers is { Count: 0 })
        {
            return;
        }

        var selected = ParameterSetName == ByPciAddressSet
            ? Session.SelectPfsAt(PciAddress, IncludeNotCapable)
            : PipedType("SriovVf") && PipedProperty("PfPciAddress") is { Length: > 0 } pfAddress
                ? Session.SelectPfsAt([pfAddress], IncludeNotCapable)
                : Session.SelectPfs(GivenNames(Name, nameof(Name)), IncludeNotCapable);
        WriteHostObjects(PfSelection.WithDriver(selected, drivers));
        if (selected.Count == 0 && Name is null && ParameterSetName == ByNameSet && !IncludeNotCapable && !MyInvocation.ExpectingInput)
        {
            var functions = Session.AllPfs(includeNotCapable: true);
            string names = string.Join(", ", functions.Select(f => f.Name ?? f.PciAddress));
            WriteVerbose(functions.Count switch
            {
                0 => "This host has no network PCI functions in sysfs (/sys/bus/pci/devices).",
                1 => $"The one network PCI function here ({names}) has no SR-IOV; Get-SriovPf -IncludeNotCapable shows it with the reason.",
                _ => $"None of the {functions.Count} network PCI functions here ({names}) has SR-IOV; Get-SriovPf -IncludeNotCapable lists them with the reason.",
            });
        }
    }
}
