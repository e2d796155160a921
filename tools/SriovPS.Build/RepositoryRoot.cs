using System;
using System.IO;

namespace SriovPS.Build;

/// <summary>Finds the checkout a program runs from, for tools, tests and benchmarks run from below bin/.</summary>
internal static class RepositoryRoot
{
    public static string Find(string startDirectory)
    {
        for (var dir = new DirectoryInfo(startDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SriovPS.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No SriovPS.sln in {startDirectory} or above it: run from inside the SriovPS checkout.");
    }
}
