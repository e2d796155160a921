using System.Linq;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Build;

/// <summary>What the compiled cmdlets promise users, read from their metadata.</summary>
public sealed class CmdletContractTests
{
    [Fact]
    public void EveryCmdletThatChangesTheHost_SupportsWhatIfAndConfirm()
    {
        var changers = PowerShellMetadata.Cmdlets.Where(c => c.Verb is not ("Get" or "Test")).ToList();

        Assert.Contains(changers, c => c.Name == "Set-SriovVf");
        Assert.All(changers, c => Assert.True(c.SupportsShouldProcess, $"{c.Name} does not support -WhatIf/-Confirm"));
    }

    [Fact]
    public void SetSriovVf_TakesVfsFromThePipelineOrPfNameAndIndex()
    {
        var cmdlet = PowerShellMetadata.Cmdlets.Single(c => c.Name == "Set-SriovVf");
        var pfName = cmdlet.Parameters.Single(p => p.Name == "PfName").Sets.Single();
        var index = cmdlet.Parameters.Single(p => p.Name == "Index").Sets.Single();
        var input = cmdlet.Parameters.Single(p => p.Name == "InputObject");

        Assert.Equal("ByPfName", cmdlet.DefaultParameterSetName);
        Assert.Equal(("ByPfName", 0, true, true), (pfName.SetName, pfName.Position, pfName.Mandatory, pfName.ValueFromPipelineByPropertyName));
        Assert.Equal(("ByPfName", 1, true, true), (index.SetName, index.Position, index.Mandatory, index.ValueFromPipelineByPropertyName));
        Assert.Equal("SriovVf[]", input.TypeName);
        Assert.True(input.Sets.Single().ValueFromPipeline);
        Assert.Equal(["SriovPS.SriovVf"], cmdlet.OutputTypes);

        // Settings never bind from the pipeline: a piped SriovVf carries its present MacAddress and Vlan.
        Assert.All(
            cmdlet.Parameters.Where(p => p.Name is not ("PfName" or "Index" or "InputObject")),
            p => Assert.All(p.Sets, s => Assert.False(s.ValueFromPipeline || s.ValueFromPipelineByPropertyName, p.Name)));
    }

    [Theory]
    [InlineData("Enable-SriovVf", "Medium")]
    [InlineData("Disable-SriovVf", "High")]
    [InlineData("Set-SriovVf", "Medium")]
    [InlineData("New-LibvirtSriovNetwork", "Medium")]
    [InlineData("Remove-LibvirtSriovNetwork", "High")]
    [InlineData("Add-VmSriovInterface", "Medium")]
    [InlineData("Remove-VmSriovInterface", "High")]
    [InlineData("Enable-SriovIommu", "Medium")]
    [InlineData("Repair-VfioAppArmor", "Medium")]
    [InlineData("Test-SriovHost", "Medium")]
    public void ChangersAskAsDesigned(string name, string confirmImpact) =>
        Assert.Equal(confirmImpact, PowerShellMetadata.Cmdlets.Single(c => c.Name == name).ConfirmImpactName);

    [Fact]
    public void EnableSriovVf_TakesPfsFromThePipelineOrByName_WithAMandatoryCount()
    {
        var cmdlet = PowerShellMetadata.Cmdlets.Single(c => c.Name == "Enable-SriovVf");
        var pfName = cmdlet.Parameters.Single(p => p.Name == "PfName");
        var input = cmdlet.Parameters.Single(p => p.Name == "InputObject").Sets.Single();
        var count = cmdlet.Parameters.Single(p => p.Name == "Count").Sets.Single();

        Assert.Equal(("ByPfName", 0, true), (pfName.Sets.Single().SetName, pfName.Sets.Single().Position, pfName.Sets.Single().ValueFromPipelineByPropertyName));
        Assert.Equal(["Name"], pfName.Aliases);
        Assert.Equal(("ByInputObject", true), (input.SetName, input.ValueFromPipeline));
        Assert.True(count.Mandatory);
        Assert.False(count.ValueFromPipeline || count.ValueFromPipelineByPropertyName);
        Assert.Equal(["SriovPS.SriovVf"], cmdlet.OutputTypes);
        Assert.Equal(
            ["Count", "DriversAutoprobe", "Force", "InputObject", "PassThru", "Persist", "PfName", "PreserveSettings"],
            cmdlet.Parameters.Select(p => p.Name).Order());
    }
}
