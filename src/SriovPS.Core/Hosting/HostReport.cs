namespace SriovPS.Hosting;

/// <summary>A report kept as lists: what a planner found before anything is asked, or what a test reads back.</summary>
internal sealed class HostReport : IHostReport
{
    public List<string> Notes { get; } = [];

    public List<string> Warnings { get; } = [];

    public List<SriovException> Failures { get; } = [];

    public void Note(string note) => Notes.Add(note);

    public void Warn(string warning) => Warnings.Add(warning);

    public void Fail(SriovException failure) => Failures.Add(failure);

    public void Add(HostReport other)
    {
        Notes.AddRange(other.Notes);
        Warnings.AddRange(other.Warnings);
        Failures.AddRange(other.Failures);
    }

    /// <summary>Tells <paramref name="target"/> everything kept here: notes, then warnings, then failures.</summary>
    public void TellTo(IHostReport target)
    {
        Notes.ForEach(target.Note);
        Warnings.ForEach(target.Warn);
        Failures.ForEach(target.Fail);
    }
}
