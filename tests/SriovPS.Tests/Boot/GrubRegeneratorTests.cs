using System.IO;
using System.Threading;
using SriovPS.Boot;
using SriovPS.Errors;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Boot;

/// <summary>The distribution's GRUB regenerator: found where each family installs it, run with an argument list, failures reported with its words.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class GrubRegeneratorTests
{
    [Fact]
    public void Debian_UsesUpdateGrub()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/usr/sbin/update-grub", "");
        tree.WriteFile("/usr/sbin/grub-mkconfig", "");

        var regenerator = GrubRegenerator.Detect(tree.Files)!;

        Assert.Equal(("/usr/sbin/update-grub", "/usr/sbin/update-grub", "/boot/grub/grub.cfg"), (regenerator.Program, regenerator.CommandLine, regenerator.ConfigPath));
    }

    [Fact]
    public void Fedora_WritesTheBiosConfiguration_NotTheEfiHandOver()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/usr/sbin/grub2-mkconfig", "");
        tree.WriteFile("/boot/grub2/grub.cfg", "menuentry ...\n");
        tree.WriteFile("/boot/efi/EFI/fedora/grub.cfg", "search --no-floppy --fs-uuid --set=dev 1234\nset prefix=($dev)/grub2\nconfigfile $prefix/grub.cfg\n");

        var regenerator = GrubRegenerator.Detect(tree.Files)!;

        Assert.Equal("/usr/sbin/grub2-mkconfig -o /boot/grub2/grub.cfg", regenerator.CommandLine);
    }

    [Fact]
    public void AnEfiOnlyHost_WritesItsEfiConfiguration()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/usr/sbin/grub2-mkconfig", "");
        tree.WriteFile("/boot/efi/EFI/redhat/grub.cfg", "menuentry 'Red Hat Enterprise Linux' {\n}\n");

        Assert.Equal(["-o", "/boot/efi/EFI/redhat/grub.cfg"], GrubRegenerator.Detect(tree.Files)!.Arguments);
    }

    [Fact]
    public void Arch_UsesGrubMkconfig_WithItsDefaultConfiguration()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/usr/bin/grub-mkconfig", "");

        Assert.Equal("/usr/bin/grub-mkconfig -o /boot/grub/grub.cfg", GrubRegenerator.Detect(tree.Files)!.CommandLine);
    }

    [Fact]
    public void NoRegenerator_IsNull()
    {
        using var tree = HostTree.Empty();

        Assert.Null(GrubRegenerator.Detect(tree.Files));
    }

    [Fact]
    public void Run_PassesEachArgumentAsItIs_WithoutAShell()
    {
        using var tree = HostTree.Empty();
        string script = WriteScript(tree, "printf '%s\\n' \"$@\" > \"$(dirname \"$0\")/arguments\"\n");
        string config = "/boot/my grub;$(touch /tmp/x)/grub.cfg";

        new GrubRegenerator(script, ["-o", config], config).Run(CancellationToken.None);

        Assert.Equal($"-o\n{config}\n", File.ReadAllText(Path.Combine(Path.GetDirectoryName(script)!, "arguments")));
    }

    [Fact]
    public void Run_AFailure_IsAWriteErrorWithWhatTheProgramSaid()
    {
        using var tree = HostTree.Empty();
        string script = WriteScript(tree, "echo 'Generating grub configuration file ...'\necho '/usr/sbin/grub-probe: error: failed to get canonical path of overlay.' >&2\nexit 1\n");

        var e = SriovAssert.Throws(SriovErrorCategory.WriteError, () => new GrubRegenerator(script, [], "/boot/grub/grub.cfg").Run(CancellationToken.None));

        Assert.Equal(ErrorCatalog.GrubRegenerateFailed, e.Id);
        Assert.Contains("failed (exit code 1): /usr/sbin/grub-probe: error: failed to get canonical path of overlay.", e.Message);
        Assert.Contains("/boot/grub/grub.cfg, which GRUB reads at boot, is not", e.Message);
    }

    [Fact]
    public void IsBehind_WhenTheConfigurationIsOlderThanTheDefaults()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/etc/default/grub", "GRUB_TIMEOUT=5\n");
        tree.WriteFile("/boot/grub/grub.cfg", "");
        var regenerator = new GrubRegenerator("/usr/sbin/update-grub", [], "/boot/grub/grub.cfg");

        File.SetLastWriteTimeUtc(tree.PathOf("/boot/grub/grub.cfg"), File.GetLastWriteTimeUtc(tree.PathOf("/etc/default/grub")).AddMinutes(-1));
        Assert.True(regenerator.IsBehind(tree.Files));

        File.SetLastWriteTimeUtc(tree.PathOf("/boot/grub/grub.cfg"), File.GetLastWriteTimeUtc(tree.PathOf("/etc/default/grub")).AddMinutes(1));
        Assert.False(regenerator.IsBehind(tree.Files));
    }

    [Fact]
    public void IsBehind_ForATreeUnderALinkedDirectory_ReadsTheTreesFiles()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/etc/default/grub", "GRUB_TIMEOUT=5\n");
        tree.WriteFile("/boot/grub/grub.cfg", "");
        File.SetLastWriteTimeUtc(tree.PathOf("/boot/grub/grub.cfg"), File.GetLastWriteTimeUtc(tree.PathOf("/etc/default/grub")).AddMinutes(1));
        using var linked = new LinkedParent(tree);
        var regenerator = new GrubRegenerator("/usr/sbin/update-grub", [], "/boot/grub/grub.cfg");

        Assert.False(regenerator.IsBehind(linked.Files));

        File.SetLastWriteTimeUtc(tree.PathOf("/boot/grub/grub.cfg"), File.GetLastWriteTimeUtc(tree.PathOf("/etc/default/grub")).AddMinutes(-1));
        Assert.True(regenerator.IsBehind(linked.Files));
    }

    private static string WriteScript(HostTree tree, string body)
    {
        tree.WriteFile("/bin/regenerate", "#!/bin/sh\n" + body);
        string path = tree.PathOf("/bin/regenerate");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
