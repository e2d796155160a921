using System;
using System.IO;
using SriovPS.Errors;
using SriovPS.Host;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Host;

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

        var error = Assert.Throws<SriovObjectNotFoundException>(() => HostContext.FromRoot(missing));

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
}
