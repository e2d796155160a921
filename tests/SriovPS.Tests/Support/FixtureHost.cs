using System;
using System.Collections.Generic;
using SriovPS.Host;

namespace SriovPS.Tests.Support;

/// <summary>A fixture materialized once for a test class, with discovery over it.</summary>
public sealed class FixtureHost : IDisposable
{
    private readonly HostTree _tree;

    public FixtureHost(string fixture)
    {
        _tree = HostTree.FromFixture(fixture);
        Ids = PciIdDatabase.FromFirstExisting([_tree.PathOf("/usr/share/misc/pci.ids")]);
    }

    internal PciIdDatabase? Ids { get; }

    public string Root => _tree.Root;

    internal SriovDiscovery Discovery(List<string>? notes = null) =>
        new(_tree.Files, Ids, notes is null ? null : notes.Add);

    public void Dispose() => _tree.Dispose();
}
