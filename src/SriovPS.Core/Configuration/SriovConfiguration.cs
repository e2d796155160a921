using System.Text;
using SriovPS.Plans;

namespace SriovPS.Configuration;

/// <summary>
/// The three configuration commands on one host: a document read and laid over the host (refusing it
/// whole, each problem with its JSON path), compared with the host, and planned as one change that is
/// verified after it is made and rolled back when a step or the verification fails.
/// </summary>
internal sealed class SriovConfiguration(HostSession session)
{
    /// <summary>The document in <paramref name="json"/> laid over this host; null when it has problems (each in <paramref name="problems"/>).</summary>
    public DesiredHost? Resolve(string json, List<SriovException> problems)
    {
        var document = ConfigurationReader.Read(json, problems);
        if (problems.Count > 0)
        {
            return null;
        }

        var desired = DesiredHost.Resolve(document, session, problems);
        return problems.Count > 0 ? null : desired;
    }

    /// <summary>Every difference between the document and the host now.</summary>
    public List<SriovConfigurationDrift> Test(DesiredHost desired) => new ConfigurationDrifts(session, session.Report).Find(desired);

    /// <summary>The host (or the PFs given) as a document.</summary>
    public string Get(IReadOnlyList<SriovPf> pfs, string schema) => new HostConfigurationWriter(session, session.Report).Write(pfs, schema);

    /// <summary>The steps that make the host as the document asks; null, with the refusals, when planning refused anything.</summary>
    /// <param name="force">Re-creates VFs without asking again, and writes a PF's network file beside another configuration of it.</param>
    /// <param name="rollBack">Whether a failed step or verification takes back what the steps before it made.</param>
    public ChangePlan? Plan(DesiredHost desired, bool force, bool rollBack, List<SriovException> refusals)
    {
        var planner = new ConfigurationPlanner(session, force);
        // A copied tree has no kernel to read back: its files are what the steps wrote.
        var plan = planner.Plan(desired, rollBack, session.Host.IsLiveHost ? () => Verify(desired) : null);
        refusals.AddRange(planner.Refusals);
        return refusals.Count > 0 ? null : plan;
    }

    /// <summary>Reads the host again, as it is after the steps, and names every setting that is not as asked.</summary>
    private SriovException? Verify(DesiredHost desired)
    {
        session.ForgetPfs();
        session.Discovery.ForgetInterfaces();
        var quiet = new HostReport();
        var drifts = new ConfigurationDrifts(session, quiet).Find(desired);
        quiet.Warnings.ForEach(session.Report.Warn);
        return drifts.Count == 0 ? null : NotReached(drifts);
    }

    internal static SriovException NotReached(IReadOnlyList<SriovConfigurationDrift> drifts)
    {
        var message = new StringBuilder("After the steps were made the host is still not as the document asks:");
        foreach (var drift in drifts)
        {
            message.Append(CultureInfo.InvariantCulture, $"\n  {drift.Target} {drift.Property}: {drift.Actual ?? "(none)"}, not {drift.Desired} ({drift.Path})");
        }

        return new SriovException(
            ErrorCatalog.ConfigurationNotReached,
            message.ToString(),
            drifts[0].Target,
            "Something changed the host while the command ran, or its driver took a value and reports another. Test-SriovConfiguration shows what differs.");
    }
}
