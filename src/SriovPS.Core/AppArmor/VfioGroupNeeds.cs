using SriovPS.Libvirt;
using SriovPS.Readiness;

namespace SriovPS.AppArmor;

/// <summary>Which vfio groups Repair-VfioAppArmor allows: the ones given, or those of the VFs this machine's pools hand out.</summary>
internal static class VfioGroupNeeds
{
    /// <summary>The groups given, each with the devices it holds now.</summary>
    /// <exception cref="SriovException">A group does not exist (IommuGroupNotFound): nothing may be written then.</exception>
    public static List<VfioGroupNeed> Given(HostSession session, IEnumerable<int> groups)
    {
        var needs = new List<VfioGroupNeed>();
        foreach (int group in groups)
        {
            if (VfioGroupRules.DevicesOf(session.Files, group) is not { Count: > 0 } devices)
            {
                throw new SriovException(
                    ErrorCatalog.IommuGroupNotFound,
                    string.Create(CultureInfo.InvariantCulture, $"There is no IOMMU group {group} with devices on this host (/sys/kernel/iommu_groups/{group}), so nothing was written."),
                    group,
                    "Get-SriovVf shows each VF's IommuGroup.");
            }

            needs.Add(new VfioGroupNeed(group, devices[0], string.Create(CultureInfo.InvariantCulture, $"IOMMU group {group} given to Repair-VfioAppArmor, holding {HostText.Join(devices)}")));
        }

        return needs;
    }

    /// <summary>The groups of the VFs the host's SR-IOV pools hand out, read from this machine's libvirt.</summary>
    /// <param name="whatIfGiven">Whether the command runs under -WhatIf, so a refusal does not suggest it.</param>
    /// <exception cref="SriovException">A copied host tree (LiveHostRequired), or libvirt could not be read.</exception>
    public static List<VfioGroupNeed> OfPools(HostSession session, bool whatIfGiven)
    {
        var pfs = session.AllPfs();
        if (session.Host.Snapshot is not null && session.HostLibvirt() is { IsSaved: true } saved)
        {
            var known = LibvirtFacts.FromInventory(saved.Uri, saved.ReadInventory(), session.PfVfAddresses(pfs));
            return HostReadiness.GroupsInUse(pfs, known.Pools, session.VfsOf);
        }

        if (!session.Host.IsLiveHost)
        {
            throw session.LiveHostRequired(
                session.Host.Root,
                "the VFs of SR-IOV pools are known from this machine's libvirt, which is not read for a copied tree. Give -IommuGroup or -AllGroups.",
                whatIfGiven);
        }

        string uri = LibvirtUri.Default();
        if (LibvirtUri.IsRemote(uri))
        {
            uri = LibvirtUri.System;
        }

        var facts = LibvirtFacts.Read(uri, session.PfVfAddresses(pfs));
        if (facts.Failure is { } failure)
        {
            throw failure;
        }

        var needs = HostReadiness.GroupsInUse(pfs, facts.Pools, session.VfsOf);
        session.Report.Note(needs.Count == 0
            ? $"No SR-IOV pool in {uri} hands out a VF, so no group needs a rule; rules written earlier for groups that changed are dropped."
            : $"The VFs of the pools in {uri} are in IOMMU groups {string.Join(", ", needs.Select(n => n.Group))}.");
        return needs;
    }
}
