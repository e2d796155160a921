namespace SriovPS.Readiness;

/// <summary>The checks of one <c>Test-SriovHost</c> run, in the order they were made.</summary>
internal sealed class HostCheckList
{
    private readonly List<SriovHostCheck> _checks = [];

    public IReadOnlyList<SriovHostCheck> Checks => _checks;

    public void Pass(string id, string target, string finding) => Add(id, SriovCheckStatus.Pass, target, finding, null);

    /// <param name="repair">The remedy as a change SriovPS can make (<c>Test-SriovHost -Fix</c>); <c>null</c> when it is the user's to make.</param>
    public void Warn(string id, string target, string finding, string remedy, HostRepair? repair = null) =>
        Add(id, SriovCheckStatus.Warning, target, finding, remedy, repair);

    /// <param name="repair">The remedy as a change SriovPS can make (<c>Test-SriovHost -Fix</c>); <c>null</c> when it is the user's to make.</param>
    public void Fail(string id, string target, string finding, string remedy, HostRepair? repair = null) =>
        Add(id, SriovCheckStatus.Fail, target, finding, remedy, repair);

    public void Skip(string id, string target, string finding) => Add(id, SriovCheckStatus.Skipped, target, finding, null);

    /// <summary>
    /// The checks with failures first, then warnings, passes and skipped ones, each group in the order
    /// made: the order the table view groups by, and the one a reader wants.
    /// </summary>
    public List<SriovHostCheck> BySeverity() => _checks.OrderBy(c => Rank(c.Status)).ToList();

    private void Add(string id, SriovCheckStatus status, string target, string finding, string? remedy, HostRepair? repair = null) =>
        _checks.Add(new SriovHostCheck(id, status, target, finding, remedy) { Repair = repair });

    private static int Rank(SriovCheckStatus status) => status switch
    {
        SriovCheckStatus.Fail => 0,
        SriovCheckStatus.Warning => 1,
        SriovCheckStatus.Pass => 2,
        _ => 3,
    };
}
