using System.IO;
using System.Linq;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Architecture;

/// <summary>The shape that keeps each command's policy in Core and each capability in one folder.</summary>
public class LayoutTests
{
    private static readonly EnumerationOptions Recursive =
        new() { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint };

    [Fact]
    public void EveryCmdletFile_IsShort_ItsPolicyLivingInCore()
    {
        var commands = Directory.GetFiles(Path.Combine(Repository.Root, "src", "SriovPS", "Commands"), "*.cs");
        var lengths = commands.Select(p => (File: Path.GetFileName(p), Lines: File.ReadAllLines(p).Length)).ToList();

        var tooLong = lengths.Where(l => l.Lines > 200).Select(l => $"{l.File}: {l.Lines} lines").ToList();

        Assert.True(lengths.Count >= 16);
        Assert.Empty(tooLong);
    }

    [Fact]
    public void NoCoreFolder_HoldsMoreThanAboutTwelveFiles()
    {
        string core = Path.Combine(Repository.Root, "src", "SriovPS.Core");
        var folders = Directory.GetDirectories(core, "*", Recursive)
            .Where(d => !d.Contains($"{Path.DirectorySeparatorChar}obj") && !d.Contains($"{Path.DirectorySeparatorChar}bin"))
            .Select(d => (Folder: Path.GetRelativePath(core, d), Files: Directory.GetFiles(d, "*.cs").Length))
            .ToList();

        var crowded = folders.Where(f => f.Files > 13).Select(f => $"{f.Folder}: {f.Files} files").ToList();

        Assert.Contains(folders, f => f.Folder == "Plans" && f.Files > 0);
        Assert.Equal(["GlobalUsings.cs"], Directory.GetFiles(core, "*.cs").Select(Path.GetFileName));
        Assert.Empty(crowded);
    }
}
