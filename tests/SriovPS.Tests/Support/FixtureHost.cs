using System;
using System.Collections.Generic;
using SriovPS.Discovery;

namespace SriovPS.Tests.Support;

/// <summary>A fixture host tree materialized once for a test class (an xunit class fixture), with discovery over it.</summary>
public abstract class FixtureHost : IDisposable
{
    private readonly HostTree _tree;
    private readonly PciIdDatabase? _ids;

    protected FixtureHost(string fixture)
    {
        _tree = HostTree.FromFixture(fixture);
        _ids = PciIdDatabase.FromFirstExisting([_tree.PathOf("/usr/share/misc/pci.ids")]);
    }

    internal SriovDiscovery Discovery(List<string>? notes = null) =>
        new(_tree.Files, _ids, notes is null ? null : new CallbackReport(note: notes.Add));

    public void Dispose()
    {
        _tree.Dispose();
        GC.SuppressFinalize(this);
    }
}
