using System;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace SriovPS.Build;

/// <summary>
/// Finds PowerShellStandard's System.Management.Automation reference assembly where the restore of
/// src/SriovPS put it, so metadata can be read without any other project referencing the package.
/// </summary>
internal static class PowerShellReference
{
    private const string PackageId = "PowerShellStandard.Library";

    public static string Locate(string repositoryRoot)
    {
        var assetsPath = Path.Combine(repositoryRoot, "src", "SriovPS", "obj", "project.assets.json");
        if (!File.Exists(assetsPath))
        {
            throw new FileNotFoundException($"src/SriovPS has not been restored: {assetsPath} is missing.", assetsPath);
        }

        using var assets = JsonDocument.Parse(File.ReadAllBytes(assetsPath));
        var root = assets.RootElement;
        var library = root.GetProperty("libraries").EnumerateObject()
            .First(p => p.Name.StartsWith(PackageId + "/", StringComparison.OrdinalIgnoreCase));
        var packagePath = library.Value.GetProperty("path").GetString()!;
        var file = library.Value.GetProperty("files").EnumerateArray()
            .Select(f => f.GetString()!)
            .First(f => f.EndsWith("/System.Management.Automation.dll", StringComparison.Ordinal));
        foreach (var folder in root.GetProperty("packageFolders").EnumerateObject())
        {
            var candidate = Path.Combine(folder.Name, packagePath, file);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"{PackageId} is restored but its System.Management.Automation.dll was not found.");
    }
}
