using System.IO;
using System.Text.Json;
using SriovPS.Snapshot;

namespace SriovPS;

/// <summary>
/// A host snapshot (<c>Save-SriovHostSnapshot</c>): which host, when, what it holds, what could not be
/// read and why, and which secrets were left on the host. Kept in the snapshot as <c>snapshot.json</c>.
/// </summary>
public sealed class SriovHostSnapshot
{
    internal const string FileName = "snapshot.json";
    internal const string Format = "SriovPS host snapshot";
    internal const int FormatVersion = 1;

    /// <summary>The snapshot's file or directory.</summary>
    public string Path { get; internal set; } = "";

    /// <summary>The host's name (its kernel's, as <c>hostname</c> prints it).</summary>
    public string? HostName { get; internal init; }

    /// <summary>When it was taken.</summary>
    public DateTimeOffset TakenAt { get; internal init; }

    /// <summary>The host's kernel release, <c>uname -r</c>.</summary>
    public string? KernelRelease { get; internal init; }

    /// <summary>The SriovPS version that took it.</summary>
    public string? ModuleVersion { get; internal init; }

    /// <summary>The libvirt it read, when it read one.</summary>
    public string? LibvirtUri { get; internal init; }

    /// <summary>The interface names (or PCI addresses) of the PFs it holds.</summary>
    public string[] Pfs { get; internal init; } = [];

    /// <summary>The SR-IOV (hostdev) networks it holds.</summary>
    public string[] Networks { get; internal init; } = [];

    /// <summary>The guests with SR-IOV interfaces it holds.</summary>
    public string[] Guests { get; internal init; } = [];

    /// <summary>How many files, directories and links of the host it holds.</summary>
    public int Files { get; internal init; }

    /// <summary>What it could not read, each with the reason: "libvirt (qemu:///system): ...".</summary>
    public string[] Unread { get; internal init; } = [];

    /// <summary>The secrets replaced by a marker: the file, line and key, never the value.</summary>
    public SriovRedaction[] Redacted { get; internal set; } = [];

    /// <summary>Its size on disk in bytes: the archive's, or the sum of the directory's files.</summary>
    public long Size { get; internal set; }

    /// <summary>Whether netlink and devlink were read (the live host, as root): VF settings and eswitch modes are in it.</summary>
    internal bool KernelRead { get; init; }

    /// <summary>Why libvirt at <see cref="LibvirtUri"/> could not be read; <c>null</c> when it was, or was never asked (a copied tree).</summary>
    internal string? LibvirtUnread { get; init; }

    /// <summary>Whether libvirt was read: its pools and guests are in it.</summary>
    internal bool LibvirtRead => LibvirtUri is not null && LibvirtUnread is null;

    public override string ToString() => $"{HostName} at {TakenAt:u}";

    internal void Write(string directory)
    {
        using var stream = File.Create(System.IO.Path.Combine(directory, FileName));
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("format", Format);
        json.WriteNumber("version", FormatVersion);
        json.WriteString("hostName", HostName);
        json.WriteString("takenAt", TakenAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
        json.WriteString("kernelRelease", KernelRelease);
        json.WriteString("moduleVersion", ModuleVersion);
        json.WriteString("libvirtUri", LibvirtUri);
        json.WriteString("libvirtUnread", LibvirtUnread);
        json.WriteBoolean("kernelRead", KernelRead);
        WriteStrings(json, "pfs", Pfs);
        WriteStrings(json, "networks", Networks);
        WriteStrings(json, "guests", Guests);
        json.WriteNumber("files", Files);
        WriteStrings(json, "unread", Unread);
        json.WriteStartArray("redacted");
        foreach (var redaction in Redacted)
        {
            json.WriteStartObject();
            json.WriteString("path", redaction.Path);
            json.WriteNumber("line", redaction.Line);
            json.WriteString("key", redaction.Key);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>The manifest in <paramref name="directory"/>.</summary>
    /// <exception cref="FormatException">It is not a snapshot's manifest, or of a later format.</exception>
    internal static SriovHostSnapshot Read(string directory)
    {
        string path = System.IO.Path.Combine(directory, FileName);
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            if (root.GetProperty("format").GetString() != Format)
            {
                throw new FormatException($"{path} is not a {Format}.");
            }

            if (root.GetProperty("version").GetInt32() > FormatVersion)
            {
                throw new FormatException(string.Create(CultureInfo.InvariantCulture,
                    $"{path} is a {Format} of version {root.GetProperty("version").GetInt32()}; this SriovPS reads version {FormatVersion}. Update SriovPS."));
            }

            return new SriovHostSnapshot
            {
                HostName = root.GetProperty("hostName").GetString(),
                TakenAt = DateTimeOffset.Parse(root.GetProperty("takenAt").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
                KernelRelease = root.GetProperty("kernelRelease").GetString(),
                ModuleVersion = root.GetProperty("moduleVersion").GetString(),
                LibvirtUri = root.GetProperty("libvirtUri").GetString(),
                LibvirtUnread = root.TryGetProperty("libvirtUnread", out var why) ? why.GetString() : null,
                KernelRead = root.GetProperty("kernelRead").GetBoolean(),
                Pfs = Strings(root, "pfs"),
                Networks = Strings(root, "networks"),
                Guests = Strings(root, "guests"),
                Files = root.GetProperty("files").GetInt32(),
                Unread = Strings(root, "unread"),
                Redacted = root.GetProperty("redacted").EnumerateArray()
                    .Select(r => new SriovRedaction(r.GetProperty("path").GetString()!, r.GetProperty("line").GetInt32(), r.GetProperty("key").GetString()!))
                    .ToArray(),
            };
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new FormatException($"{path} is not a {Format} manifest: {e.Message}", e);
        }
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }

    private static string[] Strings(JsonElement root, string name) =>
        root.GetProperty(name).EnumerateArray().Select(v => v.GetString() ?? throw new FormatException($"'{name}' holds a null.")).ToArray();
}
