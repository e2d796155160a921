using System.Management.Automation;
using SriovPS.Completion;
using SriovPS.Host;

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

    protected override bool ConsultsKernel => true;

    protected override bool ReadsPfKernelState => true;

    protected override void ProcessRecord()
    {
        var drivers = ParsePatterns(Driver, NamePattern.Parse);
        if (drivers is { Count: 0 })
        {
            return;
        }

        var selected = ParameterSetName == ByPciAddressSet
            ? SelectPfsAt(PciAddress, IncludeNotCapable)
            : SelectPfs(GivenNames(Name, nameof(Name)), IncludeNotCapable);
        WriteObject(PfSelection.WithDriver(selected, drivers), enumerateCollection: true);
    }
}
