using System.Linq;
using System.Management.Automation;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Build;

/// <summary>What the cmdlets promise users, as a real runspace sees them once the module is imported.</summary>
/// <remarks>Some read the shipped sample host, a snapshot archive: alone, as the snapshot tests, unpacked into their private cache.</remarks>
[Collection(Snapshot.SnapshotHostCollection.Name)]
public sealed class CmdletContractTests : System.IDisposable
{
    private readonly ModuleRunspace _runspace = new();

    private CmdletInfo Command(string name) =>
        (CmdletInfo)_runspace.Invoke($"Get-Command {name} -Module SriovPS").Output.Single().BaseObject;

    [Fact]
    public void EveryCmdletThatChangesTheHost_SupportsWhatIfAndConfirm()
    {
        var changers = _runspace.Invoke("Get-Command -Module SriovPS | Where-Object Verb -NotIn 'Get', 'Test'")
            .Output.Select(o => (CmdletInfo)o.BaseObject).ToList();

        Assert.Contains(changers, c => c.Name == "Set-SriovVf");
        Assert.All(changers, c =>
        {
            Assert.True(new CommandMetadata(c).SupportsShouldProcess, $"{c.Name} does not support -WhatIf/-Confirm");
            Assert.Contains("WhatIf", c.Parameters.Keys);
            Assert.Contains("Confirm", c.Parameters.Keys);
        });
    }

    [Fact]
    public void SetSriovVf_TakesVfsFromThePipelineOrPfNameAndIndex()
    {
        var cmdlet = Command("Set-SriovVf");
        var pfName = cmdlet.Parameters["PfName"].ParameterSets.Single();
        var index = cmdlet.Parameters["Index"].ParameterSets.Single();
        var input = cmdlet.Parameters["InputObject"];

        Assert.Equal("ByPfName", cmdlet.DefaultParameterSet);
        Assert.Equal(("ByPfName", 0, true, true), (pfName.Key, pfName.Value.Position, pfName.Value.IsMandatory, pfName.Value.ValueFromPipelineByPropertyName));
        Assert.Equal(("ByPfName", 1, true, true), (index.Key, index.Value.Position, index.Value.IsMandatory, index.Value.ValueFromPipelineByPropertyName));
        Assert.Equal(typeof(SriovVf[]), input.ParameterType);
        Assert.True(input.ParameterSets.Single().Value.ValueFromPipeline);
        Assert.Equal(["SriovPS.SriovVf"], cmdlet.OutputType.Select(t => t.Name));

        // Settings never bind from the pipeline: a piped SriovVf carries its present MacAddress and Vlan.
        Assert.All(
            cmdlet.Parameters.Values.Where(p => p.Name is not ("PfName" or "Index" or "InputObject")),
            p => Assert.All(p.ParameterSets.Values, s => Assert.False(s.ValueFromPipeline || s.ValueFromPipelineByPropertyName, p.Name)));
    }

    [Theory]
    [InlineData("Enable-SriovVf", ConfirmImpact.Medium)]
    [InlineData("Disable-SriovVf", ConfirmImpact.High)]
    [InlineData("Set-SriovVf", ConfirmImpact.Medium)]
    [InlineData("New-LibvirtSriovNetwork", ConfirmImpact.Medium)]
    [InlineData("Remove-LibvirtSriovNetwork", ConfirmImpact.High)]
    [InlineData("Add-VmSriovInterface", ConfirmImpact.Medium)]
    [InlineData("Remove-VmSriovInterface", ConfirmImpact.High)]
    [InlineData("Enable-SriovIommu", ConfirmImpact.Medium)]
    [InlineData("Repair-VfioAppArmor", ConfirmImpact.Medium)]
    [InlineData("Test-SriovHost", ConfirmImpact.High)]
    public void ChangersAskAsDesigned(string name, ConfirmImpact confirmImpact) =>
        Assert.Equal(confirmImpact, new CommandMetadata(Command(name)).ConfirmImpact);

    [Fact]
    public void EnableSriovVf_TakesPfsFromThePipelineOrByName_WithAMandatoryCount()
    {
        var cmdlet = Command("Enable-SriovVf");
        var pfName = cmdlet.Parameters["PfName"];
        var input = cmdlet.Parameters["InputObject"].ParameterSets.Single();
        var count = cmdlet.Parameters["Count"];

        Assert.Equal(("ByPfName", 0, true), (pfName.ParameterSets.Single().Key, pfName.ParameterSets.Single().Value.Position, pfName.ParameterSets.Single().Value.ValueFromPipelineByPropertyName));
        Assert.Equal(["Name"], pfName.Aliases);
        Assert.Equal(("ByInputObject", true), (input.Key, input.Value.ValueFromPipeline));
        Assert.All(count.ParameterSets.Values, s => Assert.True(s.IsMandatory));
        Assert.All(count.ParameterSets.Values, s => Assert.False(s.ValueFromPipeline || s.ValueFromPipelineByPropertyName));
        Assert.Equal(["SriovPS.SriovVf"], cmdlet.OutputType.Select(t => t.Name));
        Assert.Equal(
            ["Count", "DriversAutoprobe", "Force", "HostRoot", "InputObject", "PassThru", "Persist", "PfName", "PreserveSettings"],
            cmdlet.Parameters.Keys.Where(k => !Cmdlet.CommonParameters.Contains(k) && !Cmdlet.OptionalCommonParameters.Contains(k)).Order());
    }

    [Fact]
    public void APfAnswersToPfName_LiveAndFromRemoting()
    {
        var result = _runspace.Invoke($$"""
            $saved = $env:SRIOVPS_HOST_ROOT
            $env:SRIOVPS_HOST_ROOT = '{{Repository.ModuleOutput}}/samples/i350-4port.tar.gz'
            try {
                $pf = Get-SriovPf eno49 -WarningAction SilentlyContinue
                $remote = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($pf))
                $pf.PfName; $remote.PfName; $remote.PSObject.TypeNames[0]
            }
            finally { $env:SRIOVPS_HOST_ROOT = $saved }
            """);

        Assert.Null(result.Terminating);
        Assert.Empty(result.Errors);
        Assert.Equal(["eno49", "eno49", "Deserialized.SriovPS.SriovPf"], result.Output.Select(o => o.ToString()));
    }

    [Fact]
    public void EveryCommandTakesHostRoot_AndSeesWhatIsPipedToIt_WithThisPowerShell()
    {
        // The commands read the object being processed from PowerShell's own command state: the
        // PowerShell this module is built and tested against must still keep it there.
        var result = _runspace.Invoke($$"""
            $sample = '{{Repository.ModuleOutput}}/samples/i350-4port.tar.gz'
            @(Get-Command -Module SriovPS | Where-Object { -not $_.Parameters.ContainsKey('HostRoot') }).Count
            Get-SriovVf eno49 -Index 0 -HostRoot $sample -WarningAction SilentlyContinue | Disable-SriovVf -HostRoot $sample -WhatIf -ErrorAction SilentlyContinue -ErrorVariable refused
            $refused.FullyQualifiedErrorId
            """);

        Assert.Null(result.Terminating);
        Assert.Equal(["0", "VfGivenForPf,SriovPS.Commands.DisableSriovVfCommand"], result.Output.Select(o => o.ToString()));
    }

    public void Dispose() => _runspace.Dispose();
}
