using System.Collections.Generic;
using System.IO;
using System.Linq;
using SriovPS.Hosting;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Lab;

/// <summary>
/// Test-SriovHost -Fix, the real cmdlet in a runspace whose user answers its prompts, on a real igb PF
/// taken down while it has VFs: it asks before each change at the default $ConfirmPreference, a No
/// leaves the PF down (as the kernel tells it) and writes nothing, and a Yes brings it up and returns
/// the SriovHostChange of each file written after the checks.
/// </summary>
[Trait(LabHost.Category, LabHost.Lab)]
[Collection(LabCollection.Name)]
public sealed class HostFixConfirmLabTests(LibvirtPoolLabTests.LabLibvirt lab) : IClassFixture<LibvirtPoolLabTests.LabLibvirt>
{
    private const string VfioConf = "/etc/modules-load.d/vfio.conf";

    private static RunspaceResult Fix(AnsweringHost user, string name, string uri)
    {
        using var runspace = new ModuleRunspace(user);
        runspace.SetVariable("SriovPSPf", name);
        runspace.SetVariable("SriovPSUri", uri);
        return runspace.Invoke("Test-SriovHost -PfName $SriovPSPf -Uri $SriovPSUri -Fix -WarningAction SilentlyContinue");
    }

    private static string OperState(string name) => File.ReadAllText($"/sys/class/net/{name}/operstate").Trim();

    [SkippableFact]
    public void Fix_AsksBeforeBringingTheDownedPfUp_NoLeavesItDown_YesReturnsTheFilesChanged()
    {
        Skip.IfNot(LabHost.IsActive, LabHost.SkipReason);
        Assert.True(lab.Daemon?.Unavailable is null, lab.Daemon?.Unavailable);
        string pf = lab.Pfs[1];
        string name = Path.GetFileName(Directory.GetDirectories($"/sys/bus/pci/devices/{pf}/net").Single());
        string? vfioConfBefore = File.Exists(VfioConf) ? File.ReadAllText(VfioConf) : null;
        var written = new List<string>();
        try
        {
            // A PF with VFs: its link check fails while it is down. Without vfio.conf, Vfio.LoadAtBoot names a file to write.
            LabHost.Ip("link", "set", name, "up");
            LabHost.SetNumVfs(pf, 2);
            File.Delete(VfioConf);
            LabHost.Ip("link", "set", name, "down");

            var no = new AnsweringHost(yes: false);
            var declined = Fix(no, name, lab.Daemon!.Uri);

            Assert.Null(declined.Terminating);
            Assert.Contains(no.Prompts, p => p.Contains($"\"ip link set {name} up\"", System.StringComparison.Ordinal));
            Assert.Contains(no.Prompts, p => p.Contains($"on target \"{VfioConf}\"", System.StringComparison.Ordinal));
            Assert.False(LabHost.IsUp(name), $"{name} was brought up though the user said No");
            Assert.Equal("down", OperState(name));
            Assert.False(File.Exists(VfioConf));
            Assert.Empty(declined.Output.Select(o => o.BaseObject).OfType<SriovHostChange>());
            var checks = declined.Output.Select(o => o.BaseObject).OfType<SriovHostCheck>().ToList();
            Assert.Equal(SriovCheckStatus.Fail, Assert.Single(checks, c => c.Id == "Pf.LinkUp" && c.Target == name).Status);
            Assert.Equal(SriovCheckStatus.Warning, Assert.Single(checks, c => c.Id == "Vfio.LoadAtBoot").Status);

            var yes = new AnsweringHost(yes: true);
            var confirmed = Fix(yes, name, lab.Daemon.Uri);
            var output = confirmed.Output.Select(o => o.BaseObject).ToList();
            var changes = output.OfType<SriovHostChange>().ToList();
            written.AddRange(changes.Select(c => c.Path));

            Assert.Null(confirmed.Terminating);
            Assert.True(LabHost.IsUp(name), $"{name} is not up after the user said Yes");
            // RebootRequired follows whether vfio is loaded now, which earlier lab tests decide: not asserted.
            Assert.Contains(changes, c => c.Path == VfioConf && c.Changed);
            Assert.All(changes, c => Assert.True(File.Exists(c.Path) && c.Changed, $"{c.Path}: {c.Summary}"));
            Assert.All(changes.Where(c => c.BackupPath is not null), c => Assert.True(File.Exists(c.BackupPath), c.BackupPath));
            // The changes follow the checks, which are made again after them.
            int firstChange = output.FindIndex(o => o is SriovHostChange);
            Assert.True(firstChange > 0 && output.Skip(firstChange).All(o => o is SriovHostChange), string.Join(", ", output));
            Assert.Equal(SriovCheckStatus.Pass, Assert.Single(output.OfType<SriovHostCheck>(), c => c.Id == "Vfio.LoadAtBoot").Status);
        }
        finally
        {
            LabHost.Ip("link", "set", name, "up");
            foreach (var path in written.Where(p => p != VfioConf))
            {
                File.Delete(path);
                File.Delete(path + ConfigFile.BackupSuffix);
            }

            File.Delete(VfioConf + ConfigFile.BackupSuffix);
            if (vfioConfBefore is null)
            {
                File.Delete(VfioConf);
            }
            else
            {
                File.WriteAllText(VfioConf, vfioConfBefore);
            }

            LabHost.SetNumVfs(pf, 0);
        }
    }
}
