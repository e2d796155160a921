using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using SriovPS.Errors;
using SriovPS.Tests.Libvirt;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Commands;

/// <summary>
/// Every object type the module outputs, piped into every cmdlet that takes it, in a real runspace on
/// the sample I350 host and libvirt's test driver: live, and after a PSSerializer round trip (what
/// remoting delivers: Deserialized.SriovPS.* property bags). Each binds as expected (read from pwsh's
/// own ParameterBinding trace) or is refused with the module's own error, never a binder error.
/// </summary>
[Collection(LibvirtCollection.Name)]
public sealed class PipelineMatrixTests(PipelineMatrixHost host) : IClassFixture<PipelineMatrixHost>
{
    /// <summary>
    /// One pairing: the pipeline parameters pwsh binds the live object and the deserialized one to, and
    /// the module error (id before the comma) the command then gives, or null when it gives none.
    /// </summary>
    public sealed record Pairing(string Type, string Cmdlet, string LiveBinds, string DeserializedBinds, string? Refusal = null);

    // Arguments each cmdlet needs besides its pipeline input; changers run under -WhatIf.
    private static readonly Dictionary<string, string> Arguments = new()
    {
        ["Add-VmSriovInterface"] = "-VmName $SriovPSGuest -Uri $SriovPSUri -WhatIf",
        ["Disable-SriovVf"] = "-WhatIf",
        ["Enable-SriovVf"] = "-Count 3 -Force -WhatIf",
        ["Get-LibvirtSriovNetwork"] = "-Uri $SriovPSUri",
        ["Get-SriovConfiguration"] = "",
        ["Get-SriovPf"] = "",
        ["Get-SriovVf"] = "",
        ["Get-VmSriovInterface"] = "-Uri $SriovPSUri",
        ["New-LibvirtSriovNetwork"] = "-Uri $SriovPSUri -WhatIf",
        ["Remove-LibvirtSriovNetwork"] = "-Uri $SriovPSUri -WhatIf",
        ["Remove-VmSriovInterface"] = "-Uri $SriovPSUri -WhatIf",
        ["Repair-VfioAppArmor"] = "-WhatIf",
        ["Set-SriovConfiguration"] = "-WhatIf",
        ["Set-SriovPf"] = "-DriversAutoprobe $true -WhatIf",
        ["Set-SriovVf"] = "-SpoofCheck $true -WhatIf",
        ["Set-SriovVfDriver"] = "-Driver vfio-pci -WhatIf",
        ["Test-SriovConfiguration"] = "",
        ["Test-SriovHost"] = "",
    };

    // Names that match nothing are refused as such: a PF's name is no network name, a pool's no PF name.
    // A VF stands for its PF only where it is read (Get-SriovPf gives its PF); commands acting on whole PFs refuse it.
    public static readonly Pairing[] Matrix =
    [
        new("SriovPf", "Add-VmSriovInterface", "PfName", "PfName", "InvalidVmInterfaceArgument"),
        new("SriovPf", "Disable-SriovVf", "PfName", "PfName"),
        new("SriovPf", "Enable-SriovVf", "PfName", "PfName"),
        new("SriovPf", "Get-LibvirtSriovNetwork", "Name", "Name", "LibvirtNetworkNotFound"),
        new("SriovPf", "Get-SriovPf", "Name", "Name"),
        new("SriovPf", "Get-SriovConfiguration", "PfName", "PfName"),
        new("SriovPf", "Set-SriovConfiguration", "InputObject", "InputObject", "InvalidConfiguration"),
        new("SriovPf", "Test-SriovConfiguration", "InputObject", "InputObject", "InvalidConfiguration"),
        new("SriovPf", "Get-SriovVf", "InputObject", "PfName"),
        new("SriovPf", "New-LibvirtSriovNetwork", "InputObject", "PfName"),
        new("SriovPf", "Remove-LibvirtSriovNetwork", "Name", "Name", "LibvirtNetworkNotFound"),
        new("SriovPf", "Repair-VfioAppArmor", "IommuGroup", "IommuGroup"),
        new("SriovPf", "Set-SriovPf", "Name", "Name"),
        new("SriovPf", "Set-SriovVfDriver", "PfName", "PfName"),
        new("SriovPf", "Test-SriovHost", "PfName", "PfName"),

        new("SriovVf", "Add-VmSriovInterface", "Index,PfName,Vf", "Index,PfName"),
        new("SriovVf", "Disable-SriovVf", "PfName", "PfName", "VfGivenForPf"),
        new("SriovVf", "Enable-SriovVf", "PfName", "PfName", "VfGivenForPf"),
        new("SriovVf", "Get-LibvirtSriovNetwork", "Name", "Name", "LibvirtNetworkNotFound"),
        new("SriovVf", "Get-SriovPf", "Name", "Name"),
        new("SriovVf", "Get-SriovConfiguration", "PfName", "PfName"),
        new("SriovVf", "Set-SriovConfiguration", "InputObject", "InputObject", "InvalidConfiguration"),
        new("SriovVf", "Test-SriovConfiguration", "InputObject", "InputObject", "InvalidConfiguration"),
        new("SriovVf", "Get-SriovVf", "PfName", "PfName"),
        new("SriovVf", "New-LibvirtSriovNetwork", "PfName", "PfName", "VfGivenForPf"),
        new("SriovVf", "Remove-LibvirtSriovNetwork", "Name", "Name", "LibvirtNetworkNotFound"),
        new("SriovVf", "Repair-VfioAppArmor", "IommuGroup", "IommuGroup"),
        new("SriovVf", "Set-SriovPf", "Name", "Name", "VfGivenForPf"),
        new("SriovVf", "Set-SriovVf", "Index,PfName", "Index,PfName"),
        new("SriovVf", "Set-SriovVfDriver", "Index,PfName", "Index,PfName"),
        new("SriovVf", "Test-SriovHost", "PfName", "PfName"),

        new("LibvirtSriovNetwork", "Disable-SriovVf", "PfName", "PfName", "InvalidInterfaceName"),
        new("LibvirtSriovNetwork", "Enable-SriovVf", "PfName", "PfName", "InvalidInterfaceName"),
        new("LibvirtSriovNetwork", "Get-LibvirtSriovNetwork", "Name", "Name"),
        new("LibvirtSriovNetwork", "Get-SriovPf", "Name", "Name", "InvalidInterfaceName"),
        new("LibvirtSriovNetwork", "Get-SriovConfiguration", "PfName", "PfName", "InvalidInterfaceName"),
        new("LibvirtSriovNetwork", "Set-SriovConfiguration", "InputObject", "InputObject", "InvalidConfiguration"),
        new("LibvirtSriovNetwork", "Test-SriovConfiguration", "InputObject", "InputObject", "InvalidConfiguration"),
        new("LibvirtSriovNetwork", "Get-SriovVf", "PfName", "PfName", "InvalidInterfaceName"),
        new("LibvirtSriovNetwork", "Get-VmSriovInterface", "Network", "Network"),
        new("LibvirtSriovNetwork", "Remove-LibvirtSriovNetwork", "Name", "Name"),
        new("LibvirtSriovNetwork", "Set-SriovPf", "Name", "Name", "InvalidInterfaceName"),
        new("LibvirtSriovNetwork", "Set-SriovVfDriver", "PfName", "PfName", "InvalidInterfaceName"),
        new("LibvirtSriovNetwork", "Test-SriovHost", "Network,PfName", "Network,PfName"),

        // A guest's interface stands for one VF: the commands acting on whole PFs refuse it. Elsewhere a pool
        // interface has no PF (PfName is empty until its guest runs): refused, never every PF.
        new("VmSriovInterface", "Add-VmSriovInterface", "PfName", "PfName", "InvalidVmInterfaceArgument"),
        new("VmSriovInterface", "Disable-SriovVf", "PfName", "PfName", "VfGivenForPf"),
        new("VmSriovInterface", "Enable-SriovVf", "PfName", "PfName", "VfGivenForPf"),
        new("VmSriovInterface", "Get-SriovVf", "PfName", "PfName", "InvalidInterfaceName"),
        new("VmSriovInterface", "Get-VmSriovInterface", "Network,VmName", "Network,VmName"),
        new("VmSriovInterface", "Get-SriovConfiguration", "PfName", "PfName", "InvalidInterfaceName"),
        new("VmSriovInterface", "Set-SriovConfiguration", "InputObject", "InputObject", "InvalidConfiguration"),
        new("VmSriovInterface", "Test-SriovConfiguration", "InputObject", "InputObject", "InvalidConfiguration"),
        new("VmSriovInterface", "New-LibvirtSriovNetwork", "PfName", "PfName", "VfGivenForPf"),
        new("VmSriovInterface", "Remove-VmSriovInterface", "MacAddress,VmName", "MacAddress,VmName"),
        new("VmSriovInterface", "Set-SriovPf", "Name", "Name", "VfGivenForPf"),
        new("VmSriovInterface", "Set-SriovVfDriver", "PfName", "PfName", "InvalidInterfaceName"),
        new("VmSriovInterface", "Test-SriovHost", "Network,PfName", "Network,PfName", "InvalidInterfaceName"),

        // A configuration document is data: any object may be piped, and one that is not a document is refused as such.
        new("SriovHostCheck", "Set-SriovConfiguration", "InputObject", "InputObject", "InvalidConfiguration"),
        new("SriovHostCheck", "Test-SriovConfiguration", "InputObject", "InputObject", "InvalidConfiguration"),
        new("SriovHostChange", "Set-SriovConfiguration", "InputObject", "InputObject", "InvalidConfiguration"),
        new("SriovHostChange", "Test-SriovConfiguration", "InputObject", "InputObject", "InvalidConfiguration"),
    ];

    public static TheoryData<string, string, bool> Cases()
    {
        var data = new TheoryData<string, string, bool>();
        foreach (var pairing in Matrix)
        {
            data.Add(pairing.Type, pairing.Cmdlet, false);
            data.Add(pairing.Type, pairing.Cmdlet, true);
        }

        return data;
    }

    [SkippableFact]
    public void Matrix_CoversEveryPairingTheBinderAccepts()
    {
        Skip.If(LibvirtCollection.Unavailable is not null, LibvirtCollection.Unavailable);

        var accepted = host.AcceptedPairings();
        var listed = Matrix.Select(p => $"{p.Type} | {p.Cmdlet}").ToList();

        Assert.Empty(accepted.Except(listed));
        Assert.Empty(listed.Except(accepted));
        Assert.Equal(listed.Count, listed.Distinct().Count());
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void PipedObject_BindsOrIsRefusedByTheModule(string type, string cmdlet, bool deserialized)
    {
        Skip.If(LibvirtCollection.Unavailable is not null, LibvirtCollection.Unavailable);
        var pairing = Matrix.Single(p => p.Type == type && p.Cmdlet == cmdlet);

        var (result, bound) = host.Pipe(type, deserialized, cmdlet, Arguments[cmdlet]);

        Assert.Null(result.Terminating);
        string because = $"{(deserialized ? "deserialized" : "live")} {type} | {cmdlet}: {result}";
        Assert.True(
            (deserialized ? pairing.DeserializedBinds : pairing.LiveBinds) == string.Join(",", bound.Order(StringComparer.Ordinal)),
            $"{because}; bound [{string.Join(",", bound)}]");
        var ids = result.ErrorIds.Select(id => id.Split(',')[0]).Distinct().ToList();
        Assert.True(pairing.Refusal is null ? ids.Count == 0 : ids.SequenceEqual([pairing.Refusal]), because);
        // Binder errors (InputObjectNotBound, ParameterArgumentValidationError …) carry the command's name
        // too: what tells the module's own apart is its error catalog.
        Assert.All(result.ErrorIds, id =>
        {
            Assert.EndsWith($",SriovPS.Commands.{cmdlet.Replace("-", "")}Command", id);
            Assert.True(ErrorCatalog.Entries.ContainsKey(id.Split(',')[0]), $"{id} is not a SriovPS error: {because}");
        });
    }
}

/// <summary>
/// The sample host (the seeds' 4-port I350) and libvirt's test driver in one runspace, with one object
/// of each type the module outputs made by the module itself, live and deserialized.
/// </summary>
public sealed class PipelineMatrixHost : IDisposable
{
    private const string Uri = LibvirtCollection.TestUri;
    private readonly HostTree? _tree;
    private readonly ModuleRunspace? _runspace;
    private readonly SriovPS.Native.Libvirt.LibvirtConnection? _connection;
    private readonly string _prefix = $"sriovps-matrix-{Guid.NewGuid():N}"[..24];
    private readonly string? _savedRoot = Environment.GetEnvironmentVariable(SriovPS.Hosting.HostContext.RootVariable);

    /// <summary>Every type the module outputs.</summary>
    public static readonly string[] Types = ["SriovPf", "SriovVf", "LibvirtSriovNetwork", "VmSriovInterface", "SriovHostCheck", "SriovHostChange"];

    public PipelineMatrixHost()
    {
        if (LibvirtCollection.Unavailable is not null)
        {
            return;
        }

        _tree = HostTree.FromFixture("i350-4port");
        // The test driver forgets what it holds when its last connection closes.
        _connection = SriovPS.Native.Libvirt.LibvirtConnection.Open(Uri);
        _runspace = new ModuleRunspace();
        _runspace.SetVariable("SriovPSUri", Uri);
        _runspace.SetVariable("SriovPSGuest", $"{_prefix}-vm");
        _runspace.SetVariable("SriovPSTypes", Types);
        _runspace.Invoke($"$env:SRIOVPS_HOST_ROOT = '{_tree.Root}'");
        var pool = _runspace.Invoke($"New-LibvirtSriovNetwork -Name '{_prefix}-pool' -PfName eno49 -Uri $SriovPSUri");
        // The test driver cannot attach devices: the guest is defined with its pool interface.
        using (_connection.DefineDomain(
            $"<domain type='test'><name>{_prefix}-vm</name><memory>65536</memory><os><type>hvm</type></os><devices>" +
            $"<interface type='network'><mac address='52:54:00:5b:00:01'/><source network='{_prefix}-pool'/></interface></devices></domain>"))
        {
        }

        var made = _runspace.Invoke($$"""
            $WarningPreference = 'SilentlyContinue'
            $made = @{
                SriovPf = Get-SriovPf eno49
                SriovVf = Get-SriovVf eno49 -Index 1
                LibvirtSriovNetwork = Get-LibvirtSriovNetwork '{{_prefix}}-pool' -Uri $SriovPSUri
                VmSriovInterface = Get-VmSriovInterface '{{_prefix}}-vm' -Uri $SriovPSUri
                SriovHostCheck = Test-SriovHost -PfName eno49 | Select-Object -First 1
                SriovHostChange = Enable-SriovIommu -NoRegenerate -Confirm:$false -ErrorAction SilentlyContinue | Select-Object -First 1
            }
            $SriovPSItems = @{}
            foreach ($type in $made.Keys) {
                if ($null -eq $made[$type]) { throw "No $type was made." }
                $SriovPSItems[$type] = $made[$type]
                $SriovPSItems["Deserialized.$type"] = [System.Management.Automation.PSSerializer]::Deserialize(
                    [System.Management.Automation.PSSerializer]::Serialize($made[$type]))
            }
            """);
        if (made.Terminating is not null || made.Errors.Count > 0 || pool.Errors.Count > 0)
        {
            throw new InvalidOperationException($"The matrix objects could not be made: {pool}; {made}");
        }
    }

    /// <summary>"Type | Cmdlet" for each cmdlet with a parameter set the live object can satisfy from the pipeline.</summary>
    public List<string> AcceptedPairings()
    {
        var result = _runspace!.Invoke("""
            foreach ($type in $SriovPSTypes) {
                $item = $SriovPSItems[$type]
                $names = @($item.PSObject.Properties.Name)
                foreach ($command in Get-Command -Module SriovPS) {
                    foreach ($set in $command.ParameterSets) {
                        $takes = { param($p)
                            ($p.ValueFromPipeline -and ($p.ParameterType.IsInstanceOfType($item) -or
                                ($p.ParameterType.IsArray -and $p.ParameterType.GetElementType().IsInstanceOfType($item)))) -or
                            ($p.ValueFromPipelineByPropertyName -and @(@($p.Name) + $p.Aliases | Where-Object { $_ -in $names }).Count -gt 0) }
                        $pipeline = @($set.Parameters | Where-Object { & $takes $_ })
                        # A mandatory parameter the pipeline cannot fill must come from the command line: the
                        # matrix gives only these.
                        $given = @{ 'Add-VmSriovInterface' = 'VmName'; 'Enable-SriovVf' = 'Count'; 'Set-SriovVfDriver' = 'Driver' }[$command.Name]
                        $unfilled = @($set.Parameters | Where-Object { $_.IsMandatory -and -not (& $takes $_) -and $_.Name -notin $given })
                        if ($pipeline.Count -gt 0 -and $unfilled.Count -eq 0) { "$type | $($command.Name)"; break }
                    }
                }
            }
            """);
        Assert.True(result.Terminating is null && result.Errors.Count == 0, result.ToString());
        return result.Output.Select(o => o.ToString()).Distinct().ToList();
    }

    /// <summary>Pipes the object of <paramref name="type"/> into <paramref name="cmdlet"/>, tracing the binding.</summary>
    internal (RunspaceResult Result, IReadOnlyList<string> Bound) Pipe(string type, bool deserialized, string cmdlet, string arguments)
    {
        string key = deserialized ? $"Deserialized.{type}" : type;
        var types = (PSObject)_runspace!.Invoke($"$SriovPSItems['{key}']").Output.Single();
        Assert.Equal(deserialized ? $"Deserialized.SriovPS.{type}" : $"SriovPS.{type}", types.TypeNames[0]);
        return _runspace.InvokeTracingBinding($"$SriovPSItems['{key}'] | {cmdlet} {arguments}", cmdlet);
    }

    public void Dispose()
    {
        _runspace?.Invoke($"Remove-LibvirtSriovNetwork '{_prefix}-pool' -Uri $SriovPSUri -Confirm:$false -ErrorAction SilentlyContinue");
        _runspace?.Dispose();
        if (_connection is not null)
        {
            foreach (var domain in _connection.ListDomains())
            {
                using (domain)
                {
                    if (domain.Name.StartsWith(_prefix, StringComparison.Ordinal))
                    {
                        domain.Undefine();
                    }
                }
            }

            _connection.Dispose();
        }

        _tree?.Dispose();
        Environment.SetEnvironmentVariable(SriovPS.Hosting.HostContext.RootVariable, _savedRoot);
    }
}
