using System;
using System.IO;
using System.Text.RegularExpressions;
using SriovPS.Build;

namespace SriovPS.Tests.Support;

/// <summary>Paths of the checkout the tests run from.</summary>
internal static class Repository
{
    public static string Root { get; } = RepositoryRoot.Find(AppContext.BaseDirectory);

    public static string ModuleOutput => Path.Combine(Root, "out", "SriovPS");

    public static string ModuleAssembly => Path.Combine(ModuleOutput, "SriovPS.dll");

    public static string Fixture(string name) => Path.Combine(Root, "tests", "fixtures", name + ".hosttree");

    /// <summary>The version Directory.Build.props declares, the one place it is written.</summary>
    public static string DeclaredVersion =>
        Regex.Match(File.ReadAllText(Path.Combine(Root, "Directory.Build.props")), "<SriovPSVersion>([^<]+)</SriovPSVersion>").Groups[1].Value;
}
