using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace SriovPS.Native.Files;

internal enum HostTreeEntryKind
{
    Directory,
    File,
    Link,
}

internal sealed record HostTreeEntry(HostTreeEntryKind Kind, string Path, string Value, int Line);

/// <summary>
/// A host's files as committed text, one entry a line, paths as the host spells them:
/// <code>
/// dir  /sys/kernel/iommu_groups
/// file /sys/devices/pci0000:00/0000:00:02.2/0000:04:00.0/vendor 0x8086
/// link /sys/bus/pci/devices/0000:04:00.0 ../../../devices/pci0000:00/0000:00:02.2/0000:04:00.0
/// </code>
/// A file's text is the rest of the line, written with a trailing newline as sysfs gives it
/// (<c>\n</c>, <c>\r</c>, <c>\t</c>, <c>\\</c> escape; in a path, <c>\s</c> is a blank); <c>file PATH</c> alone is an empty file, and
/// <c>text PATH TEXT</c> is a file whose last line has no newline. Parent
/// directories are implied. Link targets are relative, as in sysfs, so a tree never points into the
/// live host. '#' starts a comment line.
/// </summary>
internal static class HostTreeManifest
{
    public static List<HostTreeEntry> Parse(string text, string source)
    {
        var entries = new List<HostTreeEntry>();
        var lines = text.Replace("\r\n", "\n").Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            if (line.Trim().Length == 0 || line.TrimStart().StartsWith('#'))
            {
                continue;
            }

            var parts = line.Split(' ', 3, StringSplitOptions.None);
            string keyword = parts[0];
            string path = parts.Length > 1 ? Unescape(parts[1]) : "";
            string rest = parts.Length > 2 ? parts[2] : "";
            CheckPath(path, source, i + 1);
            var entry = keyword switch
            {
                "dir" when rest.Length == 0 => new HostTreeEntry(HostTreeEntryKind.Directory, path, "", i + 1),
                "file" => new HostTreeEntry(HostTreeEntryKind.File, path, parts.Length > 2 ? Unescape(rest) + "\n" : "", i + 1),
                "text" when parts.Length > 2 => new HostTreeEntry(HostTreeEntryKind.File, path, Unescape(rest), i + 1),
                "link" when rest.Length > 0 => new HostTreeEntry(HostTreeEntryKind.Link, path, CheckTarget(rest, source, i + 1), i + 1),
                _ => throw new FormatException($"{source}:{i + 1}: expected 'dir PATH', 'file PATH [TEXT]', 'text PATH TEXT' or 'link PATH TARGET', got '{line}'."),
            };
            entries.Add(entry);
        }

        return entries;
    }

    /// <summary>Creates the tree of <paramref name="manifestPath"/> under <paramref name="destination"/>, which must not exist or be empty.</summary>
    public static void Materialize(string manifestPath, string destination) =>
        Materialize(Parse(File.ReadAllText(manifestPath), manifestPath), destination);

    /// <summary>Creates the tree of <paramref name="entries"/> under <paramref name="destination"/>, which must not exist or be empty.</summary>
    public static void Materialize(IEnumerable<HostTreeEntry> entries, string destination)
    {
        if (Directory.Exists(destination) && Directory.EnumerateFileSystemEntries(destination).GetEnumerator().MoveNext())
        {
            throw new IOException($"'{destination}' is not empty; a host tree is materialized into a new directory.");
        }

        Directory.CreateDirectory(destination);
        var links = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            // Nothing is written through a link the tree made: its target may lie outside the destination.
            for (string? at = entry.Path; !string.IsNullOrEmpty(at); at = Path.GetDirectoryName(at))
            {
                if (links.Contains(at))
                {
                    throw new FormatException($"'{entry.Path}' (line {entry.Line}) is at or under the link '{at}': a host tree is never written through its own links.");
                }
            }

            if (entry.Kind == HostTreeEntryKind.Link)
            {
                links.Add(entry.Path);
            }

            string path = destination + entry.Path;
            Directory.CreateDirectory(entry.Kind == HostTreeEntryKind.Directory ? path : Path.GetDirectoryName(path)!);
            switch (entry.Kind)
            {
                case HostTreeEntryKind.File:
                    File.WriteAllText(path, entry.Value, new UTF8Encoding(false));
                    break;
                case HostTreeEntryKind.Link:
                    File.CreateSymbolicLink(path, entry.Value);
                    break;
            }
        }
    }

    /// <summary>The manifest text of <paramref name="entries"/>, under a header of comment lines.</summary>
    public static string Format(IEnumerable<HostTreeEntry> entries, IEnumerable<string> header)
    {
        var text = new StringBuilder();
        foreach (var line in header)
        {
            text.Append("# ").Append(line).Append('\n');
        }

        foreach (var entry in entries)
        {
            text.Append(entry.Kind switch
            {
                HostTreeEntryKind.Directory => $"dir {EscapePath(entry.Path)}",
                HostTreeEntryKind.Link => $"link {EscapePath(entry.Path)} {entry.Value}",
                _ when entry.Value.Length == 0 => $"file {EscapePath(entry.Path)}",
                _ when entry.Value.EndsWith('\n') => $"file {EscapePath(entry.Path)} {Escape(entry.Value[..^1])}",
                _ => $"text {EscapePath(entry.Path)} {Escape(entry.Value)}",
            }).Append('\n');
        }

        return text.ToString();
    }

    // A path's blanks are escaped too (\s), since the path ends at the first blank of its line.
    private static string EscapePath(string path) => Escape(path).Replace(" ", "\\s");

    private static string Escape(string text) =>
        text.Replace("\\", "\\\\").Replace("\t", "\\t").Replace("\n", "\\n").Replace("\r", "\\r");

    private static void CheckPath(string path, string source, int line)
    {
        if (path.Length < 2 || path[0] != '/' || path.EndsWith('/') || path.Contains("//") || path.Contains("/../") || path.Contains("/./"))
        {
            throw new FormatException($"{source}:{line}: '{path}' is not an absolute host path without '.', '..' or empty parts.");
        }
    }

    private static string CheckTarget(string target, string source, int line) =>
        target.StartsWith('/')
            ? throw new FormatException($"{source}:{line}: link target '{target}' is absolute; it would point into the live host.")
            : target;

    private static string Unescape(string text)
    {
        if (!text.Contains('\\'))
        {
            return text;
        }

        var result = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\' || i + 1 == text.Length)
            {
                result.Append(text[i]);
                continue;
            }

            result.Append(text[++i] switch
            {
                'n' => '\n',
                'r' => '\r',
                's' => ' ',
                't' => '\t',
                '\\' => '\\',
                var other => throw new FormatException($"Unknown escape '\\{other}' in '{text}'."),
            });
        }

        return result.ToString();
    }
}
