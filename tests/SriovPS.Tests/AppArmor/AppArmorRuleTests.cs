using SriovPS.AppArmor;
using Xunit;

namespace SriovPS.Tests.AppArmor;

/// <summary>AppArmor file rules and globs as the vfio check reads them.</summary>
public sealed class AppArmorRuleTests
{
    [Theory]
    [InlineData("/dev/vfio/*", "/dev/vfio/94", true)]
    [InlineData("/dev/vfio/*", "/dev/vfio/sub/94", false)]
    [InlineData("/dev/**", "/dev/vfio/94", true)]
    [InlineData("/dev/vfio/9?", "/dev/vfio/94", true)]
    [InlineData("/dev/vfio/9?", "/dev/vfio/9", false)]
    [InlineData("/dev/vfio/[0-9]*", "/dev/vfio/94", true)]
    [InlineData("/dev/vfio/[^0-9]*", "/dev/vfio/94", false)]
    [InlineData("/dev/vfio/{94,95}", "/dev/vfio/95", true)]
    [InlineData("/dev/vfio/{94,95}", "/dev/vfio/96", false)]
    [InlineData("/dev/vfio/{9{4,5},1}", "/dev/vfio/1", true)]
    [InlineData("/dev/vfio/94", "/dev/vfio/94", true)]
    [InlineData("/dev/vfio/94", "/dev/vfio/941", false)]
    [InlineData("/dev/vfio/{94", "/dev/vfio/94", false)]
    [InlineData("/dev/vfio.x", "/dev/vfioax", false)]
    public void Globs_match_as_apparmor_does(string glob, string path, bool matches) =>
        Assert.Equal(matches, AppArmorGlob.ToRegex(glob).IsMatch(path));

    [Fact]
    public void Rules_are_read_with_qualifiers_either_order_and_quotes()
    {
        var rules = AppArmorFileRules.Parse(
            "# comment /dev/vfio/* rw,\n  audit allow owner /dev/vfio/1 rw,\nfile rw \"/dev/vfio/2\",\ndeny /dev/vfio/3 w, # no\n" +
            "capability sys_admin,\n#include <abstractions/base>\n/dev/vfio/4 rw  # no comma\n@{HOME}/x r,\n",
            "f");
        Assert.Collection(rules,
            r => Assert.Equal(("/dev/vfio/1", "rw", false, 2), (r.Path, r.Permissions, r.Deny, r.Line)),
            r => Assert.Equal(("/dev/vfio/2", "rw", false, 3), (r.Path, r.Permissions, r.Deny, r.Line)),
            r => Assert.Equal(("/dev/vfio/3", "w", true, 4), (r.Path, r.Permissions, r.Deny, r.Line)));
        Assert.NotEmpty(AppArmorFileRules.ReadWriteGrant(rules, "/dev/vfio/2"));
        Assert.Empty(AppArmorFileRules.ReadWriteGrant(rules, "/dev/vfio/4"));
    }

    [Fact]
    public void Read_and_write_may_come_from_two_rules_and_a_bare_file_rule_grants_all()
    {
        var split = AppArmorFileRules.Parse("/dev/vfio/* r,\n/dev/vfio/[0-9]* w,\n", "f");
        Assert.Equal(2, AppArmorFileRules.ReadWriteGrant(split, "/dev/vfio/39").Count);
        Assert.Empty(AppArmorFileRules.ReadWriteGrant(split, "/dev/vfio/vfio"));

        var file = AppArmorFileRules.Parse("  audit file,\n", "f");
        Assert.Equal("/**", Assert.Single(AppArmorFileRules.ReadWriteGrant(file, "/dev/vfio/39")).Path);
    }

    [Fact]
    public void A_malformed_glob_covers_nothing_rather_than_failing()
    {
        var rules = AppArmorFileRules.Parse("/dev/vfio/[z-a] rw,\n/dev/vfio/[] rw,\n", "f");
        Assert.Equal(2, rules.Count);
        Assert.Empty(AppArmorFileRules.ReadWriteGrant(rules, "/dev/vfio/39"));
    }

    [Theory]
    [InlineData("  include if exists <local/abstractions/libvirt-qemu>", true)]
    [InlineData("#include <local/abstractions/libvirt-qemu>", true)]
    [InlineData("#include if exists <local/abstractions/libvirt-qemu>", true)]
    [InlineData("include \"local/abstractions/libvirt-qemu\"", true)]
    [InlineData("# include if exists <local/abstractions/libvirt-qemu>", false)]
    [InlineData("include if exists <local/abstractions/libvirt-lxc>", false)]
    public void Includes_of_the_local_override_are_found(string line, bool found) =>
        Assert.Equal(found, AppArmorFileRules.Includes("/dev/vfio/vfio rw,\n" + line + "\n", "local/abstractions/libvirt-qemu"));
}
