using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using SriovPS.Discovery;
using SriovPS.Errors;
using SriovPS.Kernel;
using SriovPS.Native.Files;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Lab;

/// <summary>
/// Eswitch modes through our devlink requests on the lab kernel: netdevsim switched to switchdev and
/// back, checked against <c>devlink dev eswitch show</c> and the VF representor interfaces the driver
/// creates; igb, which registers no devlink instance, has no mode and refuses switchdev.
/// </summary>
[Trait(LabHost.Category, LabHost.Lab)]
[Collection(LabCollection.Name)]
public sealed partial class EswitchLabTests
{
    private const string NetdevsimBus = "netdevsim";

    [SkippableFact]
    public void Netdevsim_SwitchdevAndBack_IsReadBackAndAddsThenRemovesOneRepresentorPerVf()
    {
        Skip.IfNot(LabHost.IsActive, LabHost.SkipReason);
        using var nsim = new NetdevsimLab(23, 2);
        const string device = "netdevsim23";
        using var modes = new EswitchModes();

        Assert.Equal(EswitchMode.Legacy, modes.TryRead(NetdevsimBus, device));
        Assert.Equal("legacy", DevlinkMode(device));
        Assert.Empty(Representors(device));

        modes.Set(NetdevsimBus, device, EswitchMode.Switchdev, nsim.Name, "netdevsim");

        Assert.Equal(EswitchMode.Switchdev, modes.TryRead(NetdevsimBus, device));
        Assert.Equal("switchdev", DevlinkMode(device));
        LabHost.WaitUntil(() => Representors(device).SequenceEqual(["pf0vf0", "pf0vf1"]), "representors pf0vf0 and pf0vf1");

        // The mode it already has: accepted, and nothing is created twice.
        modes.Set(NetdevsimBus, device, EswitchMode.Switchdev, nsim.Name, "netdevsim");
        Assert.Equal(["pf0vf0", "pf0vf1"], Representors(device));

        modes.Set(NetdevsimBus, device, EswitchMode.Legacy, nsim.Name, "netdevsim");

        Assert.Equal(EswitchMode.Legacy, modes.TryRead(NetdevsimBus, device));
        Assert.Equal("legacy", DevlinkMode(device));
        LabHost.WaitUntil(() => Representors(device).Count == 0, "the representors to go");

        // One family lookup, then one request for each of the three reads and three changes.
        Assert.Equal(1 + 6, modes.Requests);
    }

    [SkippableFact]
    public void Igb_HasNoDevlinkInstance_SoItHasNoModeAndSwitchdevIsNotSupported()
    {
        Skip.IfNot(LabHost.IsActive, LabHost.SkipReason);
        string pf = LabHost.BoundTo("igb").First();
        string name = Path.GetFileName(Directory.GetDirectories($"/sys/bus/pci/devices/{pf}/net").Single());
        string description = $"{pf} ({name})";
        using var modes = new EswitchModes();

        Assert.Null(modes.TryRead(EswitchModes.PciBus, pf));
        Assert.NotEqual(0, ExternalProgram.TryRun("devlink", null, "dev", "eswitch", "show", $"pci/{pf}").ExitCode);

        var refused = SriovAssert.Throws(SriovErrorCategory.NotImplemented, 
            () => modes.Set(EswitchModes.PciBus, pf, EswitchMode.Switchdev, description, "igb"));

        Assert.Equal((ErrorCatalog.EswitchModeNotSupported, SriovErrorCategory.NotImplemented, description), (refused.Id, refused.Category, refused.Target));
        Assert.StartsWith(
            $"{description} is not a devlink device: its driver, igb, registers no devlink instance for it, so it has no eswitch mode; " +
            "the kernel answered \"No such device",
            refused.Message,
            StringComparison.Ordinal);
        Assert.EndsWith($"to 'devlink dev eswitch set pci/{pf} mode switchdev'.", refused.Message, StringComparison.Ordinal);
        Assert.Null(modes.TryRead(EswitchModes.PciBus, pf));
    }

    [SkippableFact]
    public void Discovery_AsksDevlinkOncePerIgbPf_AndLeavesTheirModeEmptyWithoutErrors()
    {
        Skip.IfNot(LabHost.IsActive, LabHost.SkipReason);
        var errors = new List<SriovException>();
        var warnings = new List<string>();
        using var modes = new EswitchModes(new CallbackReport(warn: warnings.Add, fail: errors.Add));

        var pfs = new SriovDiscovery(new HostFileSystem("/"), eswitch: modes).GetPfs(kernelState: true);

        Assert.Equal(LabHost.BoundTo("igb"), pfs.Where(p => p.Driver == "igb").Select(p => p.PciAddress));
        Assert.All(pfs, pf => Assert.Null(pf.EswitchMode));
        Assert.Empty(errors);
        Assert.Empty(warnings);
        Assert.Equal(1 + pfs.Count(p => p.TotalVfs > 0), modes.Requests);
    }

    /// <summary>The mode <c>devlink -j dev eswitch show netdevsim/DEVICE</c> reports.</summary>
    private static string? DevlinkMode(string device)
    {
        var output = LabHost.Run("devlink", "-j", "dev", "eswitch", "show", $"{NetdevsimBus}/{device}");
        return FindString(JsonDocument.Parse(output).RootElement, "mode");
    }

    private static string? FindString(JsonElement element, string property)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var member in element.EnumerateObject())
            {
                if (member.Name == property && member.Value.ValueKind == JsonValueKind.String)
                {
                    return member.Value.GetString();
                }

                if (FindString(member.Value, property) is { } found)
                {
                    return found;
                }
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
            {
                if (FindString(item, property) is { } found)
                {
                    return found;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// The phys_port_name of the device's VF representors (<c>pf0vf0</c>: devlink names a PCI_VF port
    /// pf{pf}vf{vf}), sorted; interfaces that vanish or are renamed while read are passed over.
    /// </summary>
    private static List<string> Representors(string device)
    {
        var names = new List<string>();
        string net = $"/sys/bus/{NetdevsimBus}/devices/{device}/net";
        foreach (var interfaceDirectory in Directory.Exists(net) ? Directory.GetDirectories(net) : [])
        {
            try
            {
                string port = File.ReadAllText(Path.Combine(interfaceDirectory, "phys_port_name")).Trim();
                if (VfPortName().IsMatch(port))
                {
                    names.Add(port);
                }
            }
            catch (IOException)
            {
                // Gone, renamed, or a port without a name (EOPNOTSUPP): not a VF representor.
            }
        }

        names.Sort(StringComparer.Ordinal);
        return names;
    }

    [GeneratedRegex("^pf[0-9]+vf[0-9]+$")]
    private static partial Regex VfPortName();
}
