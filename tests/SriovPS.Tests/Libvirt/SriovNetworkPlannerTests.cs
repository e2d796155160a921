using System;
using SriovPS.Errors;
using SriovPS.Libvirt;
using SriovPS.Libvirt.Networks;
using SriovPS.Native.Libvirt;
using SriovPS.Plans;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Libvirt;

/// <summary>
/// The plans of New- and Remove-LibvirtSriovNetwork on libvirt's test driver, run as a cmdlet runs
/// them (on an empty host tree, which holds only the change lock): their steps, and what each undo
/// takes back.
/// </summary>
[Collection(LibvirtCollection.Name)]
public sealed class SriovNetworkPlannerTests : IDisposable
{
    private static readonly PfVfAddresses Eno49 = new("eno49", "0000:04:00.0", ["0000:04:10.0", "0000:04:10.4", "0000:04:11.0", "0000:04:11.4", "0000:04:12.0", "0000:04:12.4", "0000:04:13.0"]);
    private static readonly PfVfAddresses Eno50 = new("eno50", "0000:04:00.1", ["0000:04:10.1", "0000:04:10.5", "0000:04:11.1", "0000:04:11.5", "0000:04:12.1", "0000:04:12.5", "0000:04:13.1"]);

    private readonly string _name = "sriovps-planner-" + Guid.NewGuid().ToString("N")[..8];
    private readonly HostTree _tree = HostTree.Empty();
    private LibvirtHost? _libvirt;

    private LibvirtHost Libvirt()
    {
        Skip.If(LibvirtCollection.Unavailable is not null, LibvirtCollection.Unavailable);
        return _libvirt ??= LibvirtHost.Connect(LibvirtCollection.TestUri);
    }

    private SriovNetworkPlanner Planner() => new(Libvirt());

    private LibvirtNetwork? Lookup(string name) => Libvirt().Connection.LookupNetwork(name);

    private LibvirtSriovNetwork Report(string name)
    {
        var inventory = Libvirt().ReadInventory();
        return SriovNetworkReport.Describe(LibvirtCollection.TestUri, inventory.Network(name)!, inventory.Guests, [Eno49]);
    }

    public void Dispose()
    {
        _tree.Dispose();
        if (_libvirt?.Connection.LookupNetwork(_name) is { } left)
        {
            left.Dispose();
            SriovNetworkRemoval.Remove(_libvirt.Connection, _name);
        }
    }

    [SkippableFact]
    public void Define_OnOnePf_IsOneStepOnTheNetwork_AskedOnceForAllItDoes()
    {
        var plan = Planner().Define(_name, [Eno49], autostart: true, start: true);
        var asker = new ScriptedAsker();

        var result = PlanDriver.Run(plan, _tree.Root, asker);

        var step = Assert.Single(plan.Steps);
        Assert.Equal(($"{_name} (eno49)", "define a hostdev network on eno49, mark it to start with libvirtd, start it"), (step.Target, step.Action));
        Assert.True(result.WasMade(step));
        Assert.Equal([$"{_name} (eno49)"], asker.Asked);
        Assert.Contains($"Defined network '{_name}'.", asker.Told.Notes);
        Assert.Contains($"Started network '{_name}'.", asker.Told.Notes);
        using var network = Lookup(_name)!;
        Assert.Equal((true, true, true), (network.IsPersistent, network.Autostart, network.IsActive));
    }

    [SkippableFact]
    public void Define_OverTwoPfs_SaysItListsTheirVfsByAddress()
    {
        var plan = Planner().Define(_name, [Eno49, Eno50], autostart: false, start: false);

        var step = Assert.Single(plan.Steps);
        Assert.Equal($"{_name} (eno49, eno50)", step.Target);
        Assert.Equal("define a hostdev network listing the 14 VFs of eno49, eno50 by address (a fixed list)", step.Action);
    }

    [SkippableFact]
    public void Define_ANetworkAlreadyAsAsked_HasNoStep_AndNotesWhy()
    {
        PlanDriver.Run(Planner().Define(_name, [Eno49], autostart: false, start: false), _tree.Root);

        var again = Planner().Define(_name, [Eno49], autostart: false, start: false);

        Assert.Empty(again.Steps);
        Assert.Equal(
            [$"The network '{_name}' already has this definition: not defined again.", $"The network '{_name}' is already as asked: nothing changed."],
            again.Report.Notes);
    }

    [SkippableFact]
    public void Define_UnderWhatIf_IsShown_AndDefinesNothing()
    {
        var plan = Planner().Define(_name, [Eno49], autostart: true, start: true);

        var result = PlanDriver.Run(plan, _tree.Root, new ScriptedAsker(StepAnswer.WhatIf));

        Assert.True(result.WasShown(plan.Steps[0]));
        Assert.Empty(result.Made);
        Assert.Null(Lookup(_name));
    }

    [SkippableFact]
    public void TheUndoOfADefinition_UndefinesTheNetworkItDefined()
    {
        var plan = Planner().Define(_name, [Eno49], autostart: true, start: true);
        PlanDriver.Run(plan, _tree.Root);

        plan.Steps[0].Undo!(PlanDriver.Context());

        Assert.Null(Lookup(_name));
    }

    [SkippableFact]
    public void TheUndoOfMarkingAndStartingAnExistingNetwork_StopsAndUnmarksIt_AndKeepsItsDefinition()
    {
        PlanDriver.Run(Planner().Define(_name, [Eno49], autostart: false, start: false), _tree.Root);
        var plan = Planner().Define(_name, [Eno49], autostart: true, start: true);
        PlanDriver.Run(plan, _tree.Root);

        plan.Steps[0].Undo!(PlanDriver.Context());

        Assert.Equal("mark it to start with libvirtd, start it", plan.Steps[0].Action);
        using var network = Lookup(_name)!;
        Assert.Equal((true, false, false), (network.IsPersistent, network.Autostart, network.IsActive));
    }

    [SkippableFact]
    public void ADefinitionInAPlanThatRollsBack_IsUndefinedAgain_WhenALaterStepFails()
    {
        var plan = new ChangePlan { RollsBack = true };
        plan.Add(Planner().Define(_name, [Eno49], autostart: false, start: false));
        plan.Add(new PlanStep("later", "fail", _ => throw new SriovException(ErrorCatalog.LibvirtOperationFailed, "The later step failed.", "later")));
        var asker = new ScriptedAsker();

        var result = PlanDriver.Run(plan, _tree.Root, asker);

        Assert.Equal([plan.Steps[0]], result.Undone);
        Assert.Equal(ErrorCatalog.LibvirtOperationFailed, Assert.Single(asker.Told.Failures).Id);
        Assert.Null(Lookup(_name));
    }

    [SkippableFact]
    public void Remove_IsOneStep_ThatStopsAndUndefines_AndItsUndoDefinesMarksAndStartsTheNetworkAgain()
    {
        PlanDriver.Run(Planner().Define(_name, [Eno49], autostart: true, start: true), _tree.Root);
        var plan = Planner().Remove(Report(_name), force: false);
        var asker = new ScriptedAsker();

        var result = PlanDriver.Run(plan, _tree.Root, asker);

        var step = Assert.Single(plan.Steps);
        Assert.Equal(($"{_name} (eno49)", "stop and undefine the SR-IOV network"), (step.Target, step.Action));
        Assert.True(result.WasMade(step));
        Assert.Equal([$"Stopped network '{_name}'.", $"Undefined network '{_name}'."], asker.Told.Notes.FindAll(n => n.EndsWith($"network '{_name}'.", StringComparison.Ordinal)));
        Assert.Null(Lookup(_name));

        step.Undo!(PlanDriver.Context());

        using var network = Lookup(_name)!;
        Assert.Equal((true, true, true), (network.IsPersistent, network.Autostart, network.IsActive));
        Assert.Equal(["eno49"], HostdevNetworkXml.Parse(network.InactiveXml).PfNames);
    }

    [SkippableFact]
    public void Remove_ANetworkARunningGuestUses_IsRefused_AndForced_WarnsOnlyWhenMade()
    {
        PlanDriver.Run(Planner().Define(_name, [Eno49], autostart: false, start: false), _tree.Root);
        string guest = _name + "-vm";
        using var domain = Libvirt().Connection.DefineDomain(
            $"<domain type='test'><name>{guest}</name><memory>65536</memory><os><type>hvm</type></os><devices>" +
            $"<interface type='network'><source network='{_name}'/></interface></devices></domain>");
        try
        {
            domain.Create();
            var network = Report(_name);

            var refused = SriovAssert.Throws(SriovErrorCategory.ResourceBusy, () => Planner().Remove(network, force: false));
            var forced = Planner().Remove(network, force: true);
            var shown = new ScriptedAsker(StepAnswer.WhatIf);
            PlanDriver.Run(forced, _tree.Root, shown);
            var made = new ScriptedAsker();
            PlanDriver.Run(forced, _tree.Root, made);

            Assert.Equal(ErrorCatalog.LibvirtNetworkInUse, refused.Id);
            Assert.Empty(shown.Told.Warnings);
            Assert.StartsWith($"Removing '{_name}' while running guests use it ({guest})", Assert.Single(made.Told.Warnings), StringComparison.Ordinal);
            Assert.Null(Lookup(_name));
        }
        finally
        {
            if (domain.IsActive)
            {
                domain.Destroy();
            }

            domain.Undefine();
        }
    }
}
