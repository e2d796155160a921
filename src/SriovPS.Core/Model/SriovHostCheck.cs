namespace SriovPS;

/// <summary>
/// One readiness check of the host (<c>Test-SriovHost</c>): what was checked on what, what was found
/// (with the evidence read), and how to fix it — the SriovPS command, or the exact edit.
/// </summary>
public sealed class SriovHostCheck
{
    internal SriovHostCheck(string id, SriovCheckStatus status, string target, string finding, string? remedy)
    {
        Id = id;
        Status = status;
        Target = target;
        Finding = finding;
        Remedy = remedy;
    }

    /// <summary>The check's stable name, <c>Iommu.Enabled</c>, <c>Pf.LinkUp</c>: for scripts to select on.</summary>
    public string Id { get; }

    public SriovCheckStatus Status { get; }

    /// <summary>What was checked: the host's name, a PF, a libvirt URI, a file, a network, or a guest.</summary>
    public string Target { get; }

    /// <summary>What was found, in plain words, with the values read.</summary>
    public string Finding { get; }

    /// <summary>The command or edit that fixes a Warning or Fail; <c>null</c> for a Pass or Skipped.</summary>
    public string? Remedy { get; }

    /// <summary>The remedy as a change SriovPS can make, for <c>Test-SriovHost -Fix</c>.</summary>
    internal Readiness.HostRepair? Repair { get; init; }

    public override string ToString() => $"{Status} {Id} {Target}";
}
