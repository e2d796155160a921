using System;
using System.IO;
using System.Linq;

namespace SriovPS.Tests.Lab;

/// <summary>
/// One of the lab's igb PFs with 7 VFs, set up by <see cref="Configure"/> once the VFs exist; 0 VFs
/// afterwards. Outside the lab it holds nothing and the tests skip.
/// </summary>
public abstract class IgbPfWithVfs : IDisposable
{
    /// <param name="position">Which igb PF, in PCI order: tests that configure VFs differently use different PFs.</param>
    protected IgbPfWithVfs(int position)
    {
        if (!LabHost.IsActive || LabHost.BoundTo("igb") is not { } pfs || pfs.Count <= position)
        {
            return;
        }

        PciAddress = pfs[position];
        Name = Path.GetFileName(Directory.GetDirectories($"/sys/bus/pci/devices/{PciAddress}/net").Single());
        LabHost.EnableVfsOrUndo(PciAddress, 7, Configure);
    }

    public string? PciAddress { get; }

    public string Name { get; } = string.Empty;

    public void Dispose()
    {
        if (PciAddress is not null)
        {
            LabHost.SetNumVfs(PciAddress, 0);
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Runs with the VFs created; on failure the VFs are removed again.</summary>
    protected abstract void Configure();
}
