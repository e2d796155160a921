using System.IO;
using System.Linq;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Lab;

/// <summary>
/// The real cmdlets, in a real runspace, on the lab's second igb PF with 7 VFs: a VF piped to
/// Disable-SriovVf or Enable-SriovVf, and a PF that came from another computer, are refused with
/// -Confirm:$false and nothing in the way, and the kernel still reports all 7 VFs (sysfs and iproute2).
/// </summary>
[Trait(LabHost.Category, LabHost.Lab)]
[Collection(LabCollection.Name)]
public sealed class PipedObjectLabTests(SetVfLabTests.IgbWithVfs igb) : IClassFixture<SetVfLabTests.IgbWithVfs>, System.IDisposable
{
    private readonly ModuleRunspace _runspace = new();

    [SkippableFact]
    public void AVfPipedToDisableSriovVf_IsRefused_AndTheKernelKeepsAllSevenVfs()
    {
        Skip.IfNot(LabHost.IsActive, LabHost.SkipReason);

        var result = _runspace.Invoke($"Get-SriovVf {igb.Name} -Index 0 | Disable-SriovVf -Confirm:$false");

        Assert.Equal(["VfGivenForPf,SriovPS.Commands.DisableSriovVfCommand"], result.ErrorIds);
        AssertSevenVfs();
    }

    [SkippableFact]
    public void VfsPipedToEnableSriovVf_AreRefused_AndTheKernelKeepsAllSevenVfs()
    {
        Skip.IfNot(LabHost.IsActive, LabHost.SkipReason);

        var result = _runspace.Invoke($"Get-SriovVf {igb.Name} -Index 0,1 | Enable-SriovVf -Count 2 -Force -Confirm:$false");

        Assert.Equal(2, result.ErrorIds.Count(id => id == "VfGivenForPf,SriovPS.Commands.EnableSriovVfCommand"));
        Assert.Equal(2, result.ErrorIds.Count());
        AssertSevenVfs();
    }

    [SkippableFact]
    public void APfFromAnotherComputer_IsRefused_AndTheKernelKeepsAllSevenVfs()
    {
        Skip.IfNot(LabHost.IsActive, LabHost.SkipReason);
        const string Script =
            "$pf = Get-SriovPf {0}\n" +
            "$bag = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($pf))\n" +
            "$bag | Add-Member PSComputerName 'kvm-node-07' -PassThru | Disable-SriovVf -Confirm:$false";

        var result = _runspace.Invoke(string.Format(System.Globalization.CultureInfo.InvariantCulture, Script, igb.Name));

        Assert.Equal(["ObjectFromOtherHost,SriovPS.Commands.DisableSriovVfCommand"], result.ErrorIds);
        Assert.Contains("kvm-node-07", result.Errors[0].Exception.Message);
        AssertSevenVfs();
    }

    public void Dispose() => _runspace.Dispose();

    private void AssertSevenVfs()
    {
        Assert.Equal("7", LabHost.Read($"/sys/bus/pci/devices/{igb.PciAddress}/sriov_numvfs"));
        Assert.Equal(7, VfSettingsLabTests.IpDetails(igb.Name).GetProperty("vfinfo_list").GetArrayLength());
        Assert.Equal(7, Directory.GetFileSystemEntries($"/sys/bus/pci/devices/{igb.PciAddress}", "virtfn*").Length);
    }
}
