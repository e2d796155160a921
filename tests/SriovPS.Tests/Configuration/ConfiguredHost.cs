using System;
using System.Collections.Generic;
using System.Linq;
using SriovPS.Configuration;
using SriovPS.Errors;
using SriovPS.Hosting;
using SriovPS.Plans;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Configuration;

/// <summary>Reading a document on its own, as every host-free check sees it.</summary>
internal static class Documents
{
    public static (ConfigurationDocument Document, List<SriovException> Problems) Read(string json)
    {
        var problems = new List<SriovException>();
        return (ConfigurationReader.Read(json, problems), problems);
    }

    /// <summary>A document that must read without a problem.</summary>
    public static ConfigurationDocument Valid(string json)
    {
        var (document, problems) = Read(json);
        Assert.Empty(problems.Select(p => p.Message));
        return document;
    }

    /// <summary>The one problem a document has, checked to be InvalidConfiguration with its path as the target and the message's start.</summary>
    public static SriovException Refused(string json, string path)
    {
        var (_, problems) = Read(json);
        var problem = Assert.Single(problems);
        return AtPath(problem, path);
    }

    public static SriovException AtPath(SriovException problem, string path)
    {
        Assert.Equal(ErrorCatalog.InvalidConfiguration, problem.Id);
        Assert.Equal(SriovErrorCategory.InvalidData, problem.Category);
        Assert.Equal(path, problem.Target);
        Assert.StartsWith(path + ": ", problem.Message);
        return problem;
    }
}

/// <summary>A fixture host tree with a session over it, for laying documents over its PFs.</summary>
internal sealed class ConfiguredHost : IDisposable
{
    public ConfiguredHost(string fixture, Action<HostTree>? change = null)
    {
        Tree = HostTree.FromFixture(fixture);
        change?.Invoke(Tree);
        Session = new HostSession(HostContext.FromRoot(Tree.Root), Asker);
    }

    public HostTree Tree { get; }

    public ScriptedAsker Asker { get; } = new();

    public HostSession Session { get; }

    /// <summary>The document over this host, with the problems only the host shows (the document itself must read cleanly).</summary>
    public (DesiredHost Desired, List<SriovException> Problems) Resolve(string json)
    {
        var document = Documents.Valid(json);
        var problems = new List<SriovException>();
        return (DesiredHost.Resolve(document, Session, problems), problems);
    }

    /// <summary>A document that must lay over this host without a problem.</summary>
    public DesiredHost Desired(string json)
    {
        var (desired, problems) = Resolve(json);
        Assert.Empty(problems.Select(p => p.Message));
        return desired;
    }

    public List<SriovConfigurationDrift> Drifts(string json, List<string>? warnings = null) =>
        new ConfigurationDrifts(Session, new CallbackReport(warn: warnings is null ? null : warnings.Add)).Find(Desired(json));

    /// <summary>The planner over this host (no -Force, rolling back), with its plan and what it refused.</summary>
    public (ChangePlan Plan, IReadOnlyList<SriovException> Refusals) Plan(string json, bool force = false)
    {
        var planner = new ConfigurationPlanner(Session, force);
        var plan = planner.Plan(Desired(json), rollBack: true, () => null);
        return (plan, planner.Refusals);
    }

    public void Dispose()
    {
        Session.Dispose();
        Tree.Dispose();
    }
}
