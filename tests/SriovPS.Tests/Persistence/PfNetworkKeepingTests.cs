using System.IO;
using SriovPS.Errors;
using SriovPS.Persistence;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Persistence;

/// <summary>The file written beside another configuration of the PF's interface: it changes only the link, and keeps the addresses.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PfNetworkKeepingTests
{
    private const string Pf = "eno49";
    private const string Mac = "9c:dc:71:5e:0f:a0";
    private const string Header = "# Written by SriovPS (Set-SriovPf -Persist), which replaces this whole file: edits here are lost.\n";
    private const string KeepLine = "# eno49 is configured elsewhere too: this file sets only its link, so the addresses and DHCP set there are kept.\n";

    [Fact]
    public void Netplan_BesideAMatchedDefinition_WritesUnderItsIdOnlyTheLinkKeys()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/etc/netplan/50-cloud-init.yaml", "network:\n  ethernets:\n    mgmt:\n      match:\n        macaddress: 9c:dc:71:5e:0f:a0\n      set-name: eno49\n      dhcp4: true\n");
        var others = PfNetworkConflicts.Find(tree.Files, Pf, Mac, null);

        var plan = PfNetworkPersistence.Plan(tree.Files, HostNetworkManager.Netplan, Pf, up: false, mtu: 9000, others);
        plan.Commit();

        Assert.Equal("/etc/netplan/60-sriovps-eno49.yaml", plan.File.HostPath);
        Assert.Equal(
            Header + KeepLine + "network:\n  version: 2\n  ethernets:\n    mgmt:\n      mtu: 9000\n      activation-mode: off\n",
            File.ReadAllText(tree.PathOf(plan.File.HostPath)));
        Assert.StartsWith("write /etc/netplan/60-sriovps-eno49.yaml: down, the link only, keeping /etc/netplan/50-cloud-init.yaml, MTU 9000", plan.Description, System.StringComparison.Ordinal);
    }

    [Fact]
    public void Netplan_AFileWrittenBeforeAlone_IsRecognised_AndRewrittenToKeep_ThenLeftAlone()
    {
        using var tree = HostTree.Empty();
        PfNetworkPersistence.Plan(tree.Files, HostNetworkManager.Netplan, new PfNetworkSettings(Pf, true, 9000)).Commit();
        tree.WriteFile("/etc/netplan/50-cloud-init.yaml", "network:\n  ethernets:\n    eno49:\n      dhcp4: true\n");
        var others = PfNetworkConflicts.Find(tree.Files, Pf, Mac, null);

        var plan = PfNetworkPersistence.Plan(tree.Files, HostNetworkManager.Netplan, Pf, up: null, mtu: null, others);
        Assert.True(plan.Commit());
        var again = PfNetworkPersistence.Plan(tree.Files, HostNetworkManager.Netplan, Pf, up: null, mtu: null, others);

        Assert.Equal(new PfNetworkSettings(Pf, true, 9000), plan.Existing);
        Assert.DoesNotContain("dhcp4", File.ReadAllText(tree.PathOf(plan.File.HostPath)), System.StringComparison.Ordinal);
        Assert.False(again.Changes);
    }

    [Theory]
    [InlineData("/etc/systemd/network/20-eno49.network", "[Match]\nName=eno49\n\n[Network]\nDHCP=yes\n", null)]
    [InlineData("/etc/NetworkManager/system-connections/mgmt.nmconnection", "[connection]\ninterface-name=eno49\n\n[ipv4]\nmethod=auto\n", null)]
    [InlineData("/etc/network/interfaces", "iface eno49 inet dhcp\n", null)]
    [InlineData(null, null, "192.0.2.10/24")]
    public void Netplan_WithoutANetplanDefinitionToExtend_IsRefused_AndNothingIsWritten(string? path, string? text, string? address)
    {
        // netplan would render the file alone, no DHCP and no address, ahead of what configures eno49 now.
        using var tree = HostTree.Empty();
        tree.WriteFile("/etc/netplan/50-cloud-init.yaml", "network:\n  version: 2\n  ethernets:\n    eno50:\n      dhcp4: true\n");
        if (path is not null)
        {
            tree.WriteFile(path, text!);
        }

        var others = PfNetworkConflicts.Find(tree.Files, Pf, Mac, address is null ? null : [address]);

        var e = SriovAssert.Throws(SriovErrorCategory.InvalidOperation, 
            () => PfNetworkPersistence.Plan(tree.Files, HostNetworkManager.Netplan, Pf, up: true, mtu: null, others));
        Assert.Equal(ErrorCatalog.NetworkConfigConflict, e.Id);
        Assert.Contains("netplan keeps only what a netplan definition of eno49 sets", e.Message, System.StringComparison.Ordinal);
        Assert.Contains(path ?? "192.0.2.10/24 on eno49 now", e.Message, System.StringComparison.Ordinal);
        Assert.False(File.Exists(tree.PathOf("/etc/netplan/60-sriovps-eno49.yaml")));
    }

    [Fact]
    public void Networkd_BesideAFileForThisInterfaceAlone_WritesADropInWithTheLinkOnly()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/lib/systemd/network/20-mgmt.network", "[Match]\nName=eno49\n\n[Network]\nDHCP=yes\n");
        var others = PfNetworkConflicts.Find(tree.Files, Pf, Mac, null);

        var plan = PfNetworkPersistence.Plan(tree.Files, HostNetworkManager.SystemdNetworkd, Pf, up: true, mtu: 9000, others);
        plan.Commit();

        Assert.Equal("/etc/systemd/network/20-mgmt.network.d/sriovps-eno49.conf", plan.File.HostPath);
        Assert.Equal(Header + KeepLine + "[Link]\nActivationPolicy=up\nMTUBytes=9000\n", File.ReadAllText(tree.PathOf(plan.File.HostPath)));
        Assert.False(File.Exists(tree.PathOf("/etc/systemd/network/10-sriovps-eno49.network")));
        Assert.False(PfNetworkPersistence.Plan(tree.Files, HostNetworkManager.SystemdNetworkd, Pf, up: true, mtu: 9000, others).Changes);
    }

    [Theory]
    [InlineData("[Match]\nName=en*\n\n[Network]\nDHCP=yes\n", false, "matches other interfaces too")]
    [InlineData("[Match]\nName=eno49\n\n[Network]\nDHCP=yes\n", true, "hides /etc/systemd/network/20-mgmt.network")]
    public void Networkd_WhenNoDropInCanKeepIt_IsRefused_AndNothingIsWritten(string text, bool ownFileBefore, string reason)
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/etc/systemd/network/20-mgmt.network", text);
        if (ownFileBefore)
        {
            tree.WriteFile("/etc/systemd/network/10-sriovps-eno49.network", "anything");
        }

        var others = PfNetworkConflicts.Find(tree.Files, Pf, Mac, null);

        var e = SriovAssert.Throws(SriovErrorCategory.InvalidOperation, 
            () => PfNetworkPersistence.Plan(tree.Files, HostNetworkManager.SystemdNetworkd, Pf, up: true, mtu: null, others));
        Assert.Equal(ErrorCatalog.NetworkConfigConflict, e.Id);
        Assert.Contains(reason, e.Message, System.StringComparison.Ordinal);
        Assert.False(Directory.Exists(tree.PathOf("/etc/systemd/network/20-mgmt.network.d")));
    }

    [Fact]
    public void NetworkManager_BesideAProfile_CarriesItsAddressSections()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/etc/NetworkManager/system-connections/mgmt.nmconnection", "[connection]\ninterface-name=eno49\n\n[ipv4]\nmethod=manual\naddress1=192.0.2.10/24\n\n[proxy]\n");
        var others = PfNetworkConflicts.Find(tree.Files, Pf, Mac, null);

        var plan = PfNetworkPersistence.Plan(tree.Files, HostNetworkManager.NetworkManager, Pf, up: true, mtu: null, others);

        Assert.EndsWith("autoconnect=true\n\n[ipv4]\nmethod=manual\naddress1=192.0.2.10/24\n", plan.Text, System.StringComparison.Ordinal);
        Assert.DoesNotContain("method=disabled", plan.Text, System.StringComparison.Ordinal);
    }

    [Fact]
    public void NetworkManager_BesideOnlyAnotherManagersFile_WritesItsUsualProfile()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/etc/network/interfaces", "iface eno49 inet dhcp\n");
        var others = PfNetworkConflicts.Find(tree.Files, Pf, Mac, null);

        var plan = PfNetworkPersistence.Plan(tree.Files, HostNetworkManager.NetworkManager, Pf, up: true, mtu: null, others);

        Assert.Null(plan.Kept);
        Assert.Equal(PfNetworkWriter.NetworkManager.Render(new PfNetworkSettings(Pf, true, null)), plan.Text);
    }

    [Theory]
    [InlineData(true, null, null)]
    [InlineData(true, 9000, "the MTU belongs in the one in /etc/network/interfaces ('mtu 9000')")]
    [InlineData(false, null, "remove its 'auto' or 'allow-hotplug' line to keep it down")]
    public void Ifupdown_BesideAStanza_WritesOnlyTheAutoLine_OrRefusesWhatOnlyThatStanzaCanSay(bool up, int? mtu, string? refusal)
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/etc/network/interfaces", "iface eno49 inet static\n    address 192.0.2.10/24\n");
        var others = PfNetworkConflicts.Find(tree.Files, Pf, Mac, null);

        if (refusal is null)
        {
            var plan = PfNetworkPersistence.Plan(tree.Files, HostNetworkManager.Ifupdown, Pf, up, mtu, others);
            Assert.Equal(Header + KeepLine + "auto eno49\n", plan.Text);
            return;
        }

        var e = SriovAssert.Throws(SriovErrorCategory.InvalidOperation, () => PfNetworkPersistence.Plan(tree.Files, HostNetworkManager.Ifupdown, Pf, up, mtu, others));
        Assert.Equal(ErrorCatalog.NetworkConfigConflict, e.Id);
        Assert.Contains(refusal, e.Message, System.StringComparison.Ordinal);
    }
}
