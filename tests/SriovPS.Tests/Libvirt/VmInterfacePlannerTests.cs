using System;
using System.Collections.Generic;
using System.Linq;
using SriovPS.Libvirt;
using SriovPS.Libvirt.Guests;
using SriovPS.Plans;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Libvirt;

/// <summary>
/// The plans of Add- and Remove-VmSriovInterface on libvirt's real QEMU driver, in process
/// (<c>qemu:///embed</c>), run as a cmdlet runs them: their steps, and what each undo takes back.
/// The guests are only defined, never started.
/// </summary>
[Collection(LibvirtCollection.Name)]
public sealed class VmInterfacePlannerTests : IDisposable
{
    private static readonly PfVfAddresses Eno49 = new("eno49", "0000:04:00.0", ["0000:04:10.0", "0000:04:10.4", "0000:04:11.0", "0000:04:11.4", "0000:04:12.0", "0000:04:12.4", "0000:04:13.0"]);
    private static readonly string[] Macs = ["52:54:00:2b:4e:d3", "52:54:00:47:82:9e"];

    private readonly EmbeddedQemu _qemu;
    private readonly HostTree _tree = HostTree.Empty();
    private readonly string _vm = "z-k8s-n-1-" + Guid.NewGuid().ToString("N")[..6];
    private bool _defined;

    public VmInterfacePlannerTests(EmbeddedQemu qemu) => _qemu = qemu;

    private LibvirtHost Libvirt()
    {
        Skip.If(_qemu.Unavailable is not null, _qemu.Unavailable);
        return LibvirtHost.Connect(_qemu.Uri);
    }

    private VmInterfacePlanner Planner() => new(Libvirt());

    private void DefineGuest(string devices = "")
    {
        using var domain = Libvirt().Connection.DefineDomain(EmbeddedQemu.GuestXml(_vm, devices));
        _defined = true;
    }

    private VmSriovInterfaceAddition Addition(IReadOnlyList<string> macs) =>
        VmSriovInterfaceAddition.Plan(Libvirt().ReadInventory(), [], [Eno49], new(_vm, "eno49-sr-iov", null, null, macs, null, null, null, true, false));

    private VmSriovInterfaceRemoval Removal(string mac) =>
        VmSriovInterfaceRemoval.Plan(Libvirt().ReadInventory(), [], _vm, mac, config: true, live: false);

    private List<string> MacsInTheDefinition()
    {
        var inventory = Libvirt().ReadInventory();
        return VmSriovInterfaceReport.Describe(_qemu.Uri, inventory.Guest(_vm)!, inventory, [], [Eno49]).Where(i => i.InConfig).Select(i => i.MacAddress).ToList();
    }

    public void Dispose()
    {
        _tree.Dispose();
        if (_defined)
        {
            using var domain = LibvirtHost.Connect(_qemu.Uri).Connection.LookupDomain(_vm);
            domain?.Undefine();
        }
    }

    [SkippableFact]
    public void Add_IsOneStepOnTheGuest_AskedOnceForEveryInterface_AndAttachesThem()
    {
        DefineGuest();
        var plan = Planner().Add(Addition(Macs));
        var asker = new ScriptedAsker();

        var result = PlanDriver.Run(plan, _tree.Root, asker);

        var step = Assert.Single(plan.Steps);
        Assert.Equal(_vm, step.Target);
        Assert.Equal($"add 2 SR-IOV interfaces on pool 'eno49-sr-iov' ({Macs[0]}, {Macs[1]}) to the guest's definition (used from its next start)", step.Action);
        Assert.True(result.WasMade(step));
        Assert.Contains($"Added the interface {Macs[1]} on pool 'eno49-sr-iov' to '{_vm}'.", asker.Told.Notes);
        Assert.Empty(asker.Told.Warnings);
        Assert.Equal(Macs, MacsInTheDefinition());
    }

    [SkippableFact]
    public void Add_InterfacesTheGuestHas_IsNoStep_AndNotesEach()
    {
        DefineGuest();
        PlanDriver.Run(Planner().Add(Addition(Macs)), _tree.Root);

        var again = Planner().Add(Addition(Macs));

        Assert.Empty(again.Steps);
        Assert.Equal(Macs.Select(mac => $"The guest '{_vm}' already has the interface {mac} on pool 'eno49-sr-iov': nothing to add."), again.Report.Notes);
    }

    [SkippableFact]
    public void TheUndoOfAnAddition_DetachesWhatItAttached_AndLeavesTheRest()
    {
        DefineGuest("<interface type='network'><mac address='52:54:00:16:55:cf'/><source network='eno49-sr-iov'/></interface>");
        var plan = Planner().Add(Addition(Macs));
        PlanDriver.Run(plan, _tree.Root);

        plan.Steps[0].Undo!(PlanDriver.Context());

        Assert.Equal(["52:54:00:16:55:cf"], MacsInTheDefinition());
    }

    [SkippableFact]
    public void Remove_IsOneStepOnTheGuest_AndItsUndoAttachesTheInterfaceAgain()
    {
        DefineGuest();
        PlanDriver.Run(Planner().Add(Addition(Macs)), _tree.Root);
        var plan = Planner().Remove(Removal("52-54-00-2B-4E-D3"));
        var asker = new ScriptedAsker();

        var result = PlanDriver.Run(plan, _tree.Root, asker);

        var step = Assert.Single(plan.Steps);
        Assert.Equal((_vm, $"remove the SR-IOV interface {Macs[0]} on pool 'eno49-sr-iov' from the guest's definition (from its next start)"), (step.Target, step.Action));
        Assert.True(result.WasMade(step));
        Assert.Contains($"Removed the interface {Macs[0]} on pool 'eno49-sr-iov' from '{_vm}'.", asker.Told.Notes);
        Assert.Equal([Macs[1]], MacsInTheDefinition());

        step.Undo!(PlanDriver.Context());

        Assert.Equal(Macs.Order(StringComparer.Ordinal), MacsInTheDefinition().Order(StringComparer.Ordinal));
    }

    [SkippableFact]
    public void Remove_UnderWhatIf_IsShown_AndRemovesNothing()
    {
        DefineGuest();
        PlanDriver.Run(Planner().Add(Addition(Macs)), _tree.Root);
        var plan = Planner().Remove(Removal(Macs[0]));

        var result = PlanDriver.Run(plan, _tree.Root, new ScriptedAsker(StepAnswer.WhatIf));

        Assert.True(result.WasShown(plan.Steps[0]));
        Assert.Equal(Macs, MacsInTheDefinition());
    }

    [SkippableFact]
    public void Remove_FromTheDefinition_OfAnInterfaceOnlyTheRunningGuestHas_IsNoStep_AndNotesWhy()
    {
        const string Mac = "52:54:00:6d:90:02";
        const string Vf = $"<interface type='hostdev' managed='yes'><mac address='{Mac}'/><source><address type='pci' domain='0x0000' bus='0x04' slot='0x10' function='0x0'/></source></interface>";
        var guest = new GuestState(_vm, true, GuestXml.Parse(EmbeddedQemu.GuestXml(_vm)), GuestXml.Parse(EmbeddedQemu.GuestXml(_vm, Vf)));
        var removal = VmSriovInterfaceRemoval.Plan(LibvirtInventory.FromStates([], [guest], []), [], _vm, Mac, config: true, live: false);

        var plan = Planner().Remove(removal);

        Assert.Empty(plan.Steps);
        Assert.Equal(
            [$"The interface {Mac} is not in the definition of '{_vm}': it is only in the running guest (use -Live).", $"Nothing to remove for {Mac} of '{_vm}'."],
            plan.Report.Notes);
    }
}
