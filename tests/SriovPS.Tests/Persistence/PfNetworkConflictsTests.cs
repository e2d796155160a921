using System.IO;
using System.Linq;
using SriovPS.Persistence;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Persistence;

/// <summary>Finding the other configurations of a PF's interface in a host's files, one manager at a time.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PfNetworkConflictsTests
{
    private const string Pf = "eno49";
    private const string Mac = "9c:dc:71:5e:0f:a0";

    [Fact]
    public void Find_OnATreeWithoutNetworkFiles_FindsNothing()
    {
        using var tree = HostTree.Empty();

        Assert.False(PfNetworkConflicts.Find(tree.Files, Pf, Mac, null).Any);
    }

    [Theory]
    [InlineData("    eno49:\n      dhcp4: true\n      addresses:\n        - 192.0.2.10/24\n", "eno49", "ethernets.eno49: dhcp4: true, addresses: [192.0.2.10/24]")]
    [InlineData("    eno49:\n      addresses: [192.0.2.10/24, \"2001:db8::10/64\"]\n", "eno49", "ethernets.eno49: addresses: [192.0.2.10/24, 2001:db8::10/64]")]
    [InlineData("    all-en:\n      match:\n        name: \"en*\"\n      dhcp4: yes\n", "all-en", "ethernets.all-en: dhcp4: yes")]
    [InlineData("    mgmt:\n      match:\n        macaddress: 9C:DC:71:5E:0F:A0\n      dhcp6: true # comment\n", "mgmt", "ethernets.mgmt: dhcp6: true")]
    [InlineData("    lan0:\n      match:\n        driver: igb\n      set-name: eno49\n", "lan0", "ethernets.lan0: no settings")]
    [InlineData("    eno49: {}\n", "eno49", "ethernets.eno49: no settings")]
    [InlineData("    igb-ports:\n      match:\n        driver: igb\n      dhcp4: true\n", "igb-ports", "ethernets.igb-ports: dhcp4: true")]
    public void Find_NetplanDefinition_IsNamedWithItsIdAndWhatItSets(string definition, string id, string sets)
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/etc/netplan/50-cloud-init.yaml", "# cloud-init\nnetwork:\n  version: 2\n  ethernets:\n" + definition);

        var found = Assert.Single(PfNetworkConflicts.Find(tree.Files, Pf, Mac, null).Found);

        Assert.Equal(HostNetworkManager.Netplan, found.Manager);
        Assert.Equal("/etc/netplan/50-cloud-init.yaml", found.HostPath);
        Assert.Equal(id, found.NetplanId);
        Assert.Equal(sets, found.Sets);
    }

    [Theory]
    [InlineData("    eno50:\n      dhcp4: true\n")]
    [InlineData("    eno49-x:\n      dhcp4: true\n")]
    [InlineData("    eth:\n      match:\n        name: \"eth*\"\n      dhcp4: true\n")]
    [InlineData("    mgmt:\n      match:\n        name: en*\n        macaddress: 00:11:22:33:44:55\n      dhcp4: true\n")]
    public void Find_NetplanDefinitionOfAnotherInterface_IsNotNamed(string definition)
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/etc/netplan/50-cloud-init.yaml", "network:\n  version: 2\n  ethernets:\n" + definition);

        Assert.False(PfNetworkConflicts.Find(tree.Files, Pf, Mac, null).Any);
    }

    [Fact]
    public void Find_NetplanFiles_RunHidesEtcOfTheSameName_WhichHidesLib_AsNetplanReadsThem()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/etc/netplan/50-cloud-init.yaml", "network:\n  ethernets:\n    eno49:\n      dhcp4: true\n");
        tree.WriteFile("/run/netplan/50-cloud-init.yaml", "network:\n  ethernets:\n    eno50:\n      dhcp4: true\n");
        tree.WriteFile("/etc/netplan/10-a.yaml", "network:\n  ethernets:\n    eno50:\n      dhcp4: true\n");
        tree.WriteFile("/run/netplan/10-a.yaml", "network:\n  ethernets:\n    eno49:\n      addresses: [192.0.2.10/24]\n");
        tree.WriteFile("/lib/netplan/20-b.yaml", "network:\n  ethernets:\n    eno49:\n      dhcp6: true\n");
        tree.WriteFile("/etc/netplan/20-b.yaml", "network:\n  ethernets:\n    eno50:\n      dhcp6: true\n");

        var found = PfNetworkConflicts.Find(tree.Files, Pf, Mac, null).Found;

        Assert.Equal(["/run/netplan/10-a.yaml"], found.Select(f => f.HostPath));
    }

    [Fact]
    public void Find_AFileThatIsAnAbsoluteLink_IsReadInsideTheTree_NotFollowedOntoThisMachine()
    {
        // /tmp is a directory on this machine, and a file in the tree: only the tree's counts. A directory where a file would be is passed.
        using var tree = HostTree.Empty();
        tree.WriteFile("/tmp", "network:\n  ethernets:\n    eno49:\n      dhcp4: true\n");
        tree.WriteFile("/etc/systemd/network/20-eno49.network/inside", "[Match]\nName=eno49\n");
        Directory.CreateDirectory(tree.PathOf("/etc/netplan"));
        File.CreateSymbolicLink(tree.PathOf("/etc/netplan/50-cloud-init.yaml"), "/tmp");

        var found = Assert.Single(PfNetworkConflicts.Find(tree.Files, Pf, Mac, null).Found);

        Assert.Equal("/etc/netplan/50-cloud-init.yaml", found.HostPath);
        Assert.Equal("ethernets.eno49: dhcp4: true", found.Sets);
    }

    [Fact]
    public void FindOnHost_OnACopiedTree_ReadsOnlyItsFiles_NotThisKernelsAddresses()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/etc/netplan/50-cloud-init.yaml", "network:\n  ethernets:\n    eno49:\n      dhcp4: true\n");
        using var links = new SriovPS.Kernel.KernelLinks();

        var found = PfNetworkConflicts.FindOnHost(tree.Files, links, Pf, Mac)!.Found;

        Assert.Equal(["/etc/netplan/50-cloud-init.yaml"], found.Select(f => f.HostPath));
        Assert.Equal(0, links.Requests);
    }

    [Fact]
    public void FindOnHost_OnTheLiveHost_WhenTheAddressesCannotBeRead_GivesNull_AndReportsWhy()
    {
        var errors = new System.Collections.Generic.List<SriovPS.Errors.SriovException>();
        using var links = new SriovPS.Kernel.KernelLinks(new CallbackReport(fail: errors.Add));

        Assert.Null(PfNetworkConflicts.FindOnHost(new SriovPS.Native.Files.HostFileSystem("/"), links, "sriovpsnone0", null));
        Assert.NotEmpty(errors);
    }

    [Fact]
    public void Find_NetplanFlowStyle_IsStillNamed_NotSilentlyPassed()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/etc/netplan/01-flow.yaml", "network: {version: 2, ethernets: {eno49: {dhcp4: true}}}\n");

        var found = Assert.Single(PfNetworkConflicts.Find(tree.Files, Pf, Mac, null).Found);

        Assert.Equal("eno49", found.NetplanId);
        Assert.StartsWith("names eno49 outside", found.Sets, System.StringComparison.Ordinal);
    }

    [Fact]
    public void Find_SkipsTheModulesOwnFiles_AndNetplansRenderings()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/etc/netplan/60-sriovps-eno49.yaml", "network:\n  ethernets:\n    eno49:\n      dhcp4: false\n");
        tree.WriteFile("/etc/systemd/network/10-sriovps-eno49.network", "[Match]\nName=eno49\n");
        tree.WriteFile("/etc/NetworkManager/system-connections/sriovps-eno49.nmconnection", "[connection]\ninterface-name=eno49\n");
        tree.WriteFile("/etc/network/interfaces.d/sriovps-eno49", "iface eno49 inet manual\n");
        tree.WriteFile("/run/systemd/network/10-netplan-eno49.network", "[Match]\nName=eno49\n");

        Assert.Empty(PfNetworkConflicts.Find(tree.Files, Pf, Mac, null).Found);
    }

    [Theory]
    [InlineData("[Match]\nName=eno49\n\n[Network]\nDHCP=yes\n", true, "matches it: DHCP=yes")]
    [InlineData("[Match]\nName=eno50 eno49\n[Network]\nAddress=192.0.2.10/24\nGateway=192.0.2.1\n", false, "matches it: Address=192.0.2.10/24, Gateway=192.0.2.1")]
    [InlineData("[Match]\nName=en*\n\n[Network]\nDHCP=ipv4\n", false, "matches it: DHCP=ipv4")]
    [InlineData("[Match]\nMACAddress=9C:DC:71:5E:0F:A0\n\n[Address]\nAddress=192.0.2.10/24\n", true, "matches it: Address=192.0.2.10/24")]
    [InlineData("[Match]\nName=!eth* lo\n", false, "matches it, no address")]
    [InlineData("[Match]\nType=ether\n", false, "matches it, no address")]
    [InlineData("[Match]\nName=eth0\nName=\nName=eno49\n", true, "matches it, no address")]
    public void Find_MatchingNetworkFile_SaysWhetherItIsThisInterfacesAlone(string text, bool alone, string sets)
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/lib/systemd/network/20-mgmt.network", text);

        var found = Assert.Single(PfNetworkConflicts.Find(tree.Files, Pf, Mac, null).Found);

        Assert.Equal(HostNetworkManager.SystemdNetworkd, found.Manager);
        Assert.Equal("/lib/systemd/network/20-mgmt.network", found.HostPath);
        Assert.Equal("20-mgmt.network", found.NetworkdFileName);
        Assert.Equal(alone, found.MatchesThisInterfaceOnly);
        Assert.Equal(sets, found.Sets);
    }

    [Theory]
    [InlineData("[Match]\nName=eno50\n")]
    [InlineData("[Match]\nName=!en*\n")]
    [InlineData("[Match]\nName=en*\nMACAddress=00:11:22:33:44:55\n")]
    [InlineData("[Match]\nName=eno4*\nName=!eno49\n")]
    public void Find_NetworkFileForOtherLinks_IsNotNamed(string text)
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/etc/systemd/network/20-other.network", text);

        Assert.False(PfNetworkConflicts.Find(tree.Files, Pf, Mac, null).Any);
    }

    /// <summary>
    /// Files for other kinds of link, as every systemd install ships them in /usr/lib/systemd/network:
    /// virtual links by Kind= and Wi-Fi by Type=wlan or WLANInterfaceType=; a PF's Ethernet interface
    /// meets none, also when a Kind= list starts with an inverted assignment.
    /// </summary>
    [Theory]
    [InlineData("80-wifi-adhoc.network", "[Match]\nType=wlan\nWLANInterfaceType=ad-hoc\n\n[Network]\nLinkLocalAddressing=yes\n")]
    [InlineData("80-6rd-tunnel.network", "[Match]\nKind=sit\n\n[Network]\nDHCP=no\n")]
    [InlineData("80-wifi-station.network", "[Match]\nType=wlan\nWLANInterfaceType=station\n\n[Network]\nDHCP=yes\n")]
    [InlineData("80-ssid.network", "[Match]\nSSID=office\n\n[Network]\nDHCP=yes\n")]
    [InlineData("80-not-ether.network", "[Match]\nType=!ether\n\n[Network]\nDHCP=yes\n")]
    [InlineData("80-vxlan.network", "[Match]\nKind=!sit\nKind=vxlan\n")]
    public void Find_SystemdsFilesForOtherKindsOfLink_AreNotNamed_ForAnEthernetPf(string name, string text)
    {
        using var tree = HostTree.Empty();
        tree.WriteFile($"/sys/class/net/{Pf}/type", "1\n");
        tree.WriteFile($"/usr/lib/systemd/network/{name}", text);

        Assert.False(PfNetworkConflicts.Find(tree.Files, Pf, Mac, null).Any);
    }

    [Theory]
    [InlineData("[Match]\nType=ether\n", "1\n")]
    [InlineData("[Match]\nType=eth*\n", "1\n")]
    [InlineData("[Match]\nKind=!sit\n", "1\n")]
    [InlineData("[Match]\nType=!wlan\n", "1\n")]
    [InlineData("[Match]\nType=wlan\n", null)]
    [InlineData("[Match]\nType=!wlan\nType=ether\n", "1\n")]
    [InlineData("[Match]\nType=ether !wlan\n", "1\n")]
    [InlineData("[Match]\nName=!eno5*\nName=eno4*\n", "1\n")]
    public void Find_TypeAndInvertedConditions_ThatTheEthernetPfMeets_OrThatCannotBeJudged_AreNamed(string text, string? arphrd)
    {
        using var tree = HostTree.Empty();
        if (arphrd is not null)
        {
            tree.WriteFile($"/sys/class/net/{Pf}/type", arphrd);
        }

        tree.WriteFile("/etc/systemd/network/20-mgmt.network", text);

        Assert.Equal("/etc/systemd/network/20-mgmt.network", Assert.Single(PfNetworkConflicts.Find(tree.Files, Pf, Mac, null).Found).HostPath);
    }

    [Fact]
    public void Find_NetworkFiles_EtcHidesTheSameNameElsewhere_AMaskHidesIt_AndOrderIsByName()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/lib/systemd/network/20-wired.network", "[Match]\nName=en*\n[Network]\nDHCP=yes\n");
        tree.WriteFile("/run/systemd/network/30-b.network", "[Match]\nName=eno49\n");
        tree.WriteFile("/lib/systemd/network/30-b.network", "[Match]\nName=eno50\n");
        tree.WriteFile("/lib/systemd/network/05-a.network", "[Match]\nName=eno*\n");
        Directory.CreateDirectory(tree.PathOf("/etc/systemd/network"));
        File.CreateSymbolicLink(tree.PathOf("/etc/systemd/network/20-wired.network"), "/dev/null");

        var found = PfNetworkConflicts.Find(tree.Files, Pf, Mac, null).Found;

        Assert.Equal(["/lib/systemd/network/05-a.network", "/run/systemd/network/30-b.network"], found.Select(f => f.HostPath));
    }

    [Theory]
    [InlineData("[connection]\nid=mgmt\ninterface-name=eno49\n\n[ipv4]\nmethod=manual\naddress1=192.0.2.10/24,192.0.2.1\n", "profile 'mgmt', ipv4.method=manual, ipv4.address1=192.0.2.10/24,192.0.2.1, ipv6.method=auto", "[ipv4]\nmethod=manual\naddress1=192.0.2.10/24,192.0.2.1\n")]
    [InlineData("[connection]\nid=Wired\n[ethernet]\nmac-address=9C:DC:71:5E:0F:A0\n[ipv6]\nmethod=ignore\n\n", "profile 'Wired', ipv4.method=auto, ipv6.method=ignore", "[ipv6]\nmethod=ignore\n")]
    public void Find_NetworkManagerProfile_ByNameOrMac_CarriesItsAddressSections(string text, string sets, string sections)
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/etc/NetworkManager/system-connections/mgmt.nmconnection", text);
        tree.WriteFile("/etc/NetworkManager/system-connections/mgmt.nmconnection.bak", text);
        tree.WriteFile("/etc/NetworkManager/system-connections/other.nmconnection", "[connection]\ninterface-name=eno50\n");

        var found = Assert.Single(PfNetworkConflicts.Find(tree.Files, Pf, Mac, null).Found);

        Assert.Equal(HostNetworkManager.NetworkManager, found.Manager);
        Assert.Equal("/etc/NetworkManager/system-connections/mgmt.nmconnection", found.HostPath);
        Assert.Equal(sets, found.Sets);
        Assert.Equal(sections, found.AddressSections);
    }

    [Fact]
    public void Find_IfupdownLines_InInterfacesAndItsDirectory_WithTheStanzasOptions()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/etc/network/interfaces", "source /etc/network/interfaces.d/*\nauto lo\niface lo inet loopback\n\nauto eno49\niface eno49 inet static\n    address 192.0.2.10/24\n    gateway 192.0.2.1\n    dns-nameservers 192.0.2.53\niface eno49.100 inet dhcp\n");
        tree.WriteFile("/etc/network/interfaces.d/hotplug", "allow-hotplug eno50 eno49\n");
        tree.WriteFile("/etc/network/interfaces.d/eno50", "iface eno50 inet dhcp\n");

        var found = PfNetworkConflicts.Find(tree.Files, Pf, Mac, null).Found;

        Assert.Equal(2, found.Count);
        Assert.Equal("/etc/network/interfaces", found[0].HostPath);
        Assert.Equal("auto eno49, iface eno49 inet static, address 192.0.2.10/24, gateway 192.0.2.1", found[0].Sets);
        Assert.True(found[0].HasStanza);
        Assert.Equal("/etc/network/interfaces.d/hotplug", found[1].HostPath);
        Assert.Equal("allow-hotplug eno49", found[1].Sets);
        Assert.False(found[1].HasStanza);
    }

    [Fact]
    public void Find_LiveAddresses_AreNamedAfterTheFiles_AndTheRefusalNamesEveryOne()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/etc/netplan/50-cloud-init.yaml", "network:\n  ethernets:\n    eno49:\n      dhcp4: true\n");

        var conflicts = PfNetworkConflicts.Find(tree.Files, Pf, Mac, ["192.0.2.10/24", "2001:db8::10/64"]);
        var refusal = conflicts.Refusal("/etc/netplan/60-sriovps-eno49.yaml");

        Assert.Equal(
            ["/etc/netplan/50-cloud-init.yaml (ethernets.eno49: dhcp4: true)", "192.0.2.10/24 on eno49 now", "2001:db8::10/64 on eno49 now"],
            conflicts.Found.Select(f => f.Description));
        Assert.Equal("NetworkConfigConflict", refusal.ErrorId);
        Assert.Equal(
            "eno49 is configured elsewhere, which /etc/netplan/60-sriovps-eno49.yaml would override or be overridden by, possibly taking its address away at the next boot: " +
            "/etc/netplan/50-cloud-init.yaml (ethernets.eno49: dhcp4: true); 192.0.2.10/24 on eno49 now; 2001:db8::10/64 on eno49 now. Nothing was changed on eno49.",
            refusal.Message);
    }
}
