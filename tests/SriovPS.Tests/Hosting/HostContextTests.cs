using System;
using System.IO;
using SriovPS.Errors;
using SriovPS.Hosting;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Hosting;

[Collection(EnvironmentCollection.Name)]
public class HostContextTests
{
    [Fact]
    public void FromRoot_NullEmptyOrSlash_IsTheLiveHost()
    {
        Assert.True(HostContext.FromRoot(null).IsLiveHost);
        Assert.True(HostContext.FromRoot("").IsLiveHost);
        Assert.Equal("/", HostContext.FromRoot("/").Root);
    }

    [Fact]
    public void FromRoot_ACopiedTree_IsNotTheLiveHost()
    {
        using var tree = HostTree.Empty();

        var host = HostContext.FromRoot(tree.Root + "/");

        Assert.False(host.IsLiveHost);
        Assert.Equal(tree.Root, host.Root);
    }

    [Fact]
    public void FromRoot_RelativeRoot_IsResolvedAgainstTheGivenWorkingDirectory()
    {
        using var tree = HostTree.Empty();
        Directory.CreateDirectory(Path.Combine(tree.Root, "samples", "i350"));

        var host = HostContext.FromRoot("samples/i350", tree.Root);

        Assert.Equal(Path.Combine(tree.Root, "samples", "i350"), host.Root);
    }

    [Fact]
    public void FromRoot_MissingDirectory_IsHostRootNotFound()
    {
        string missing = Path.Combine(Path.GetTempPath(), "sriovps-no-such-host-" + Guid.NewGuid().ToString("N"));

        var error = SriovAssert.Throws(SriovErrorCategory.ObjectNotFound, () => HostContext.FromRoot(missing));

        Assert.Equal("HostRootNotFound", error.ErrorId);
        Assert.Equal(missing, error.Target);
        Assert.Contains(HostContext.RootVariable, error.Message);
    }

    [Fact]
    public void FromEnvironment_ReadsTheVariableEachTime()
    {
        using var tree = HostTree.Empty();
        string? saved = Environment.GetEnvironmentVariable(HostContext.RootVariable);
        try
        {
            Environment.SetEnvironmentVariable(HostContext.RootVariable, tree.Root);
            Assert.Equal(tree.Root, HostContext.FromEnvironment().Root);

            Environment.SetEnvironmentVariable(HostContext.RootVariable, null);
            Assert.True(HostContext.FromEnvironment().IsLiveHost);
        }
        finally
        {
            Environment.SetEnvironmentVariable(HostContext.RootVariable, saved);
        }
    }
}

/// <summary>Tests that change process-wide environment variables run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EnvironmentCollection
{
    public const string Name = "Process environment";

    [Theory]
    [InlineData("kvm-node-07", "kvm-node-07", true)]
    [InlineData("KVM-NODE-07", "kvm-node-07.example.net", true)]
    [InlineData("kvm-node-07.example.net.", "KVM-node-07.Example.NET", true)]
    [InlineData("node01.dc1.example", "node01.dc2.example", false)]
    [InlineData("node01", "node02.dc1.example", false)]
    [InlineData("10.0.0.7", "10.0.0.8", false)]
    [InlineData("10.0.0.7", "10.0.0.7", true)]
    public void SameMachine_ComparesFullNamesWhenBothHaveADomain_ElseShortOnes(string name, string other, bool same) =>
        Assert.Equal(same, HostContext.SameMachine(name, other));

    [Fact]
    public void ACopiedTree_IsNamedByItsEtcHostname_AndTheLiveHostByThisMachinesNameOrLocalhost()
    {
        using var tree = HostTree.Empty();
        Directory.CreateDirectory(tree.Root + "/etc");
        File.WriteAllText(tree.Root + "/etc/hostname", "kvm-node-07\n");

        var copied = HostContext.FromRoot(tree.Root);
        var live = HostContext.FromRoot("/");

        Assert.Equal("kvm-node-07", copied.HostName);
        Assert.True(copied.IsNamed("kvm-node-07.example.net"));
        Assert.False(copied.IsNamed("localhost"));
        Assert.True(live.IsNamed("localhost"));
        Assert.True(live.IsNamed(Environment.MachineName));
        Assert.False(live.IsNamed("kvm-node-07-nosuch"));
    }
}