using System.IO;
using SriovPS.Persistence;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Persistence;

/// <summary>Which manager is in charge, found from files under a temporary host root.</summary>
public sealed class NetworkManagerDetectionTests
{
    private const string NetworkManagerWants = "/etc/systemd/system/multi-user.target.wants/NetworkManager.service";
    private const string NetworkdWants = "/etc/systemd/system/multi-user.target.wants/systemd-networkd.service";

    [Fact]
    public void Detect_NetplanYamlAndProgram_IsNetplan()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/etc/netplan/50-cloud-init.yaml", "network: {version: 2}\n");
        tree.WriteFile("/etc/netplan/01-netcfg.yaml", "network: {version: 2}\n");
        tree.WriteFile("/usr/sbin/netplan", "");

        var detection = NetworkManagerDetection.Detect(tree.Files);

        Assert.Equal(HostNetworkManager.Netplan, detection.Manager);
        Assert.Equal(["/etc/netplan/01-netcfg.yaml", "/usr/sbin/netplan"], detection.Evidence);
        Assert.Equal("netplan (/etc/netplan/01-netcfg.yaml, /usr/sbin/netplan)", detection.Description);
    }

    [Fact]
    public void Detect_NetplanProgramWithoutYaml_IsNotNetplan()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/usr/bin/netplan", "");
        tree.WriteFile("/etc/netplan/README", "");
        tree.WriteFile("/etc/netplan/.hidden.yaml", "");
        tree.WriteFile("/etc/netplan/old.yaml.bak", "");

        Assert.Equal(HostNetworkManager.None, NetworkManagerDetection.Detect(tree.Files).Manager);
    }

    [Fact]
    public void Detect_NetplanYamlWithoutProgram_FallsThroughToTheNextManager()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/etc/netplan/50-cloud-init.yaml", "");
        WithNetworkd(tree);

        Assert.Equal(HostNetworkManager.SystemdNetworkd, NetworkManagerDetection.Detect(tree.Files).Manager);
    }

    [Fact]
    public void Detect_NetworkManagerEnabled_IsNetworkManager()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/usr/sbin/NetworkManager", "");
        Directory.CreateDirectory(Path.GetDirectoryName(tree.PathOf(NetworkManagerWants))!);
        File.CreateSymbolicLink(tree.PathOf(NetworkManagerWants), "/lib/systemd/system/NetworkManager.service");

        var detection = NetworkManagerDetection.Detect(tree.Files);

        Assert.Equal(HostNetworkManager.NetworkManager, detection.Manager);
        Assert.Equal(["/usr/sbin/NetworkManager", NetworkManagerWants], detection.Evidence);
    }

    [Fact]
    public void Detect_NetworkManagerRunning_IsNetworkManager()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/usr/bin/NetworkManager", "");
        Directory.CreateDirectory(tree.PathOf("/run/NetworkManager"));

        var detection = NetworkManagerDetection.Detect(tree.Files);

        Assert.Equal(HostNetworkManager.NetworkManager, detection.Manager);
        Assert.Equal(["/usr/bin/NetworkManager", "/run/NetworkManager"], detection.Evidence);
    }

    [Fact]
    public void Detect_NetworkManagerInstalledButNeitherEnabledNorRunning_IsNotNetworkManager()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/usr/sbin/NetworkManager", "");

        Assert.Equal(HostNetworkManager.None, NetworkManagerDetection.Detect(tree.Files).Manager);
    }

    [Fact]
    public void Detect_NetworkdEnabled_IsSystemdNetworkd()
    {
        using var tree = HostTree.Empty();
        WithNetworkd(tree);

        var detection = NetworkManagerDetection.Detect(tree.Files);

        Assert.Equal(HostNetworkManager.SystemdNetworkd, detection.Manager);
        Assert.Equal(["/usr/lib/systemd/systemd-networkd", NetworkdWants], detection.Evidence);
    }

    [Fact]
    public void Detect_NetworkdRunning_IsSystemdNetworkd()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/lib/systemd/systemd-networkd", "");
        tree.WriteFile("/run/systemd/netif/state", "OPER_STATE=routable\n");

        var detection = NetworkManagerDetection.Detect(tree.Files);

        Assert.Equal(HostNetworkManager.SystemdNetworkd, detection.Manager);
        Assert.Equal(["/lib/systemd/systemd-networkd", "/run/systemd/netif/state"], detection.Evidence);
    }

    [Fact]
    public void Detect_NetifLinksAlone_IsNotEvidenceThatNetworkdRuns()
    {
        // systemd-tmpfiles creates /run/systemd/netif/links at every boot, whether networkd runs or not.
        using var tree = HostTree.Empty();
        tree.WriteFile("/lib/systemd/systemd-networkd", "");
        Directory.CreateDirectory(tree.PathOf("/run/systemd/netif/links"));
        WithIfupdown(tree);

        Assert.Equal(HostNetworkManager.Ifupdown, NetworkManagerDetection.Detect(tree.Files).Manager);
    }

    [Fact]
    public void Detect_InterfacesAndIfup_IsIfupdown()
    {
        using var tree = HostTree.Empty();
        WithIfupdown(tree);

        var detection = NetworkManagerDetection.Detect(tree.Files);

        Assert.Equal(HostNetworkManager.Ifupdown, detection.Manager);
        Assert.Equal(["/etc/network/interfaces", "/sbin/ifup"], detection.Evidence);
    }

    [Fact]
    public void Detect_InterfacesWithoutIfup_IsNone()
    {
        using var tree = HostTree.Empty();
        tree.WriteFile("/etc/network/interfaces", "auto lo\n");

        var detection = NetworkManagerDetection.Detect(tree.Files);

        Assert.Equal(HostNetworkManager.None, detection.Manager);
        Assert.Empty(detection.Evidence);
        Assert.StartsWith("no network manager", detection.Description);
    }

    [Fact]
    public void Detect_EmptyHost_IsNone()
    {
        using var tree = HostTree.Empty();

        Assert.Equal(HostNetworkManager.None, NetworkManagerDetection.Detect(tree.Files).Manager);
    }

    [Fact]
    public void Detect_Precedence_NetplanOverNetworkManagerOverNetworkdOverIfupdown()
    {
        using var tree = HostTree.Empty();
        WithIfupdown(tree);
        Assert.Equal(HostNetworkManager.Ifupdown, NetworkManagerDetection.Detect(tree.Files).Manager);

        WithNetworkd(tree);
        Assert.Equal(HostNetworkManager.SystemdNetworkd, NetworkManagerDetection.Detect(tree.Files).Manager);

        tree.WriteFile("/usr/sbin/NetworkManager", "");
        tree.WriteFile(NetworkManagerWants, "");
        Assert.Equal(HostNetworkManager.NetworkManager, NetworkManagerDetection.Detect(tree.Files).Manager);

        tree.WriteFile("/etc/netplan/01-network-manager-all.yaml", "network: {version: 2, renderer: NetworkManager}\n");
        tree.WriteFile("/usr/sbin/netplan", "");
        Assert.Equal(HostNetworkManager.Netplan, NetworkManagerDetection.Detect(tree.Files).Manager);
    }

    private static void WithNetworkd(HostTree tree)
    {
        tree.WriteFile("/usr/lib/systemd/systemd-networkd", "");
        Directory.CreateDirectory(Path.GetDirectoryName(tree.PathOf(NetworkdWants))!);
        File.CreateSymbolicLink(tree.PathOf(NetworkdWants), "/lib/systemd/system/systemd-networkd.service");
    }

    private static void WithIfupdown(HostTree tree)
    {
        tree.WriteFile("/etc/network/interfaces", "source /etc/network/interfaces.d/*\n");
        tree.WriteFile("/sbin/ifup", "");
    }
}
