namespace SriovPS.Hosting;

/// <summary>
/// What the core tells the user of a command while it works: notes (-Verbose), warnings, and failures of
/// one item that leave the others going (non-terminating errors). The one way every core type reports.
/// </summary>
internal interface IHostReport
{
    void Note(string note);

    void Warn(string warning);

    void Fail(SriovException failure);
}
