using SriovPS.Completion;
using SriovPS.Libvirt;
using SriovPS.Libvirt.Guests;

namespace SriovPS.Commands;

/// <summary>
/// <para type="synopsis">Lists the SR-IOV interfaces of libvirt guests: on pools or fixed VFs, with MAC, VLAN and the VF a running guest has.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "VmSriovInterface")]
[OutputType(typeof(VmSriovInterface))]
public sealed class GetVmSriovInterfaceCommand : LibvirtCmdlet
{
    private LibvirtInventory? _inventory;
    private List<LibvirtSriovNetwork>? _pools;
    private List<PfVfAddresses>? _pfs;
    private List<SriovPS.Values.NamePattern>? _networks;

    /// <summary>Names of the guests; wildcards allowed. Every guest when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(VmNameCompleter))]
    public string[]? VmName { get; set; }

    /// <summary>Only interfaces on these pools; wildcards allowed. A pool piped in binds its name here.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [AllowNull, AllowEmptyString, AllowEmptyCollection]
    [ArgumentCompleter(typeof(LibvirtNetworkNameCompleter))]
    public string[]? Network { get; set; }

    protected override void ProcessRecord()
    {
        if (!AcceptPipedObject())
        {
            return;
        }

        // libvirt is read once, however many names arrive through the pipeline.
        if (_inventory is null)
        {
            _inventory = ReadInventory();
            _pools = Describe(_inventory);
            _pfs = PoolPfs();
            if (!_inventory.NetworksListed)
            {
                WriteWarning($"{ConnectionUri} has no network driver: interfaces on libvirt networks are listed without knowing whether the network is an SR-IOV pool.");
            }
        }

        // Per record: each pool piped in names its own. An interface piped in that is on no pool binds
        // an empty name, which filters nothing (its guest's interfaces are listed).
        var given = Network?.Where(n => !string.IsNullOrEmpty(n)).ToArray();
        if (given is { Length: 0 } && !MyInvocation.ExpectingInput)
        {
            // Typed empty (an unset variable): it names no pool, and must not list every interface.
            WriteSriovError(Errors.LibvirtErrors.NoNetworkNamed("list every interface"));
            return;
        }

        _networks = Session.ParsePatterns(given is { Length: > 0 } ? given : null, SriovPS.Values.NamePattern.Parse);
        if (_networks is { Count: 0 })
        {
            return;
        }

        foreach (var guest in NameSelection.Select(_inventory.Guests, g => g.Name, VmName, name => Errors.LibvirtErrors.VmNotFound(name), WriteSriovError))
        {
            foreach (var item in VmSriovInterfaceReport.Describe(ConnectionUri, guest, _inventory, _pools!, _pfs))
            {
                if (_networks is null || (item.Network is { } network && _networks.Exists(p => p.IsMatch(network))))
                {
                    WriteHostObject(item);
                }
            }
        }
    }
}
