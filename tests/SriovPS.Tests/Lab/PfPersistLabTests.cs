using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using SriovPS.Host.Network;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Lab;

/// <summary>
/// Set-SriovPf -Persist on the lab's second igb PF with an address of its own, as a PF that is also the
/// management NIC has: the real cmdlet, in a runspace, refuses naming the address the kernel reports,
/// sends nothing to the link and writes no file, under -WhatIf and when confirmed.
/// </summary>
[Trait(LabHost.Category, LabHost.Lab)]
[Collection(LabCollection.Name)]
public sealed class PfPersistLabTests(VfCountLabTests.SecondIgbPf igb) : IClassFixture<VfCountLabTests.SecondIgbPf>
{
    private const string Address = "192.0.2.77/24";

    [SkippableTheory]
    [InlineData("-Confirm:$false")]
    [InlineData("-WhatIf")]
    public void Persist_WithAnAddressOnThePf_IsRefusedNamingIt_AndChangesNothing(string confirmation)
    {
        Skip.IfNot(LabHost.IsActive, LabHost.SkipReason);
        string name = igb.Name;
        string? savedRoot = Environment.GetEnvironmentVariable(SriovPS.Host.HostContext.RootVariable);
        Environment.SetEnvironmentVariable(SriovPS.Host.HostContext.RootVariable, null);
        LabHost.Ip("addr", "add", Address, "dev", name);
        try
        {
            int mtuBefore = Mtu(name);
            string[] files = [.. new[] { PfNetworkWriter.Netplan, PfNetworkWriter.NetworkManager, PfNetworkWriter.SystemdNetworkd, PfNetworkWriter.Ifupdown }
                .Select(w => w.HostPathFor(name))];
            Assert.All(files, f => Assert.False(File.Exists(f), $"{f} is there before the test."));

            using var runspace = new ModuleRunspace();
            var result = runspace.Invoke(
                $"Remove-Item Env:SRIOVPS_HOST_ROOT -ErrorAction SilentlyContinue; Set-SriovPf {name} -LinkState Up -Mtu {mtuBefore + 100} -Persist {confirmation}");

            var error = Assert.Single(result.Errors);
            Assert.Equal("NetworkConfigConflict,SriovPS.Commands.SetSriovPfCommand", error.FullyQualifiedErrorId);
            Assert.Contains($"{Address} on {name} now", error.Exception.Message, StringComparison.Ordinal);
            Assert.Null(result.Terminating);
            Assert.Equal(mtuBefore, Mtu(name));
            Assert.Contains(Address, LabHost.Ip("-o", "addr", "show", "dev", name), StringComparison.Ordinal);
            Assert.All(files, f => Assert.False(File.Exists(f), $"{f} was written."));
        }
        finally
        {
            LabHost.Ip("addr", "del", Address, "dev", name);
            Environment.SetEnvironmentVariable(SriovPS.Host.HostContext.RootVariable, savedRoot);
        }
    }

    private static int Mtu(string name) =>
        JsonDocument.Parse(LabHost.Ip("-j", "link", "show", "dev", name)).RootElement[0].GetProperty("mtu").GetInt32();
}
