using System;
using System.Collections.Generic;
using System.IO;
using SriovPS.Build;
using SriovPS.Build.Help;
using SriovPS.Native.Files;
using SriovPS.Snapshot;

// sriovps-build layout --repo DIR --module-bin DIR --out DIR --version X.Y.Z
// sriovps-build materialize MANIFEST DESTINATION
// sriovps-build capture ROOT MANIFEST          (ROOT is / for this host)
// sriovps-build netlink-capture IFNAME FILE [--stats] [--comment TEXT]
try
{
    return args switch
    {
        ["layout", .. var rest] => Layout(Options(rest)),
        ["materialize", var manifest, var destination] => Materialize(manifest, destination),
        ["capture", var root, var manifest] => Capture(root, manifest),
        ["netlink-capture", var name, var file, .. var rest] => CaptureNetlink(name, file, rest),
        _ => Usage(),
    };
}
catch (HelpFormatException e)
{
    Console.Error.WriteLine($"{e.FilePath}({e.Line}): error SPSHELP: {e.Message}");
    return 1;
}
catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException or InvalidOperationException or SriovPS.Native.Netlink.NetlinkException)
{
    Console.Error.WriteLine($"SriovPS.Build: error SPSBUILD: {e.Message}");
    return 1;
}

static int Layout(Dictionary<string, string> options)
{
    string Required(string name) => options.TryGetValue(name, out var value)
        ? value
        : throw new InvalidOperationException($"layout needs --{name}.");

    var layout = new ModuleLayout(Required("repo"), Required("module-bin"), Required("out"), Required("version"));
    layout.Run();
    Console.WriteLine($"SriovPS.Build: laid out {Path.GetFullPath(Required("out"))}");
    return 0;
}

static int Materialize(string manifest, string destination)
{
    HostTreeManifest.Materialize(manifest, destination);
    return 0;
}

static int Capture(string root, string manifest)
{
    string release = File.Exists(Path.Combine(root, "proc/sys/kernel/osrelease"))
        ? File.ReadAllText(Path.Combine(root, "proc/sys/kernel/osrelease")).Trim()
        : "unknown";
    var entries = SnapshotFiles.Capture(new HostFileSystem(root)).Entries;
    File.WriteAllText(manifest, HostTreeManifest.Format(entries, [
        $"Captured by SriovPS.Build capture from a host running Linux {release}:",
        "only what SriovPS reads, as Save-SriovHostSnapshot takes it (its host files; secrets in network configuration redacted).",
    ]));
    Console.WriteLine($"SriovPS.Build: {entries.Count} entries written to {manifest}");
    return 0;
}

static int CaptureNetlink(string name, string file, ReadOnlySpan<string> rest)
{
    bool statistics = rest.IndexOf("--stats") >= 0;
    int comment = rest.IndexOf("--comment");
    NetlinkCapture.Capture(name, file, statistics, comment >= 0 && comment + 1 < rest.Length ? rest[comment + 1] : null);
    Console.WriteLine($"SriovPS.Build: RTM_NEWLINK of {name} written to {file}");
    return 0;
}

static Dictionary<string, string> Options(ReadOnlySpan<string> args)
{
    var options = new Dictionary<string, string>(StringComparer.Ordinal);
    for (int i = 0; i + 1 < args.Length; i += 2)
    {
        if (!args[i].StartsWith("--", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Unexpected argument '{args[i]}'.");
        }

        options[args[i][2..]] = args[i + 1];
    }

    return options;
}

static int Usage()
{
    Console.Error.WriteLine("usage: SriovPS.Build layout --repo DIR --module-bin DIR --out DIR --version X.Y.Z");
    Console.Error.WriteLine("       SriovPS.Build materialize MANIFEST DESTINATION");
    Console.Error.WriteLine("       SriovPS.Build capture ROOT MANIFEST");
    Console.Error.WriteLine("       SriovPS.Build netlink-capture IFNAME FILE [--stats] [--comment TEXT]");
    return 2;
}
