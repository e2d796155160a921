using System.IO;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;
using SriovPS.Libvirt;
using SriovPS.Libvirt.Guests;

namespace SriovPS.Snapshot;

/// <summary>
/// libvirt as a snapshot keeps it, in <c>libvirt/</c>: every hostdev network's XML (definition, live
/// XML and ports while it runs) and every guest's XML that has SR-IOV interfaces, each in its own file
/// as virsh would print it, with <c>libvirt.json</c> for their states and the names of everything else
/// (whose XML never leaves the host). Read back, it is the same inventory the live host gave.
/// </summary>
internal static partial class SavedLibvirt
{
    public const string DirectoryName = "libvirt";
    private const string IndexName = "libvirt.json";

    /// <summary>The files written, relative to the snapshot.</summary>
    /// <param name="redactions">Where what was left out of the guests' XML is listed.</param>
    public static List<string> Write(string snapshot, string uri, LibvirtInventory inventory, List<SriovRedaction>? redactions = null)
    {
        redactions ??= [];
        string directory = Path.Combine(snapshot, DirectoryName);
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        string? Save(string name, string? xml)
        {
            if (xml is null)
            {
                return null;
            }

            File.WriteAllText(Path.Combine(directory, name), xml);
            written.Add(DirectoryName + "/" + name);
            return name;
        }

        var pools = inventory.Networks.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        using (var stream = File.Create(Path.Combine(directory, IndexName)))
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("uri", uri);
            json.WriteBoolean("networksListed", inventory.NetworksListed);
            json.WriteStartArray("networks");
            int index = 0;
            foreach (var network in inventory.Networks)
            {
                string stem = FileStem("network", index++, network.Name);
                var xml = network.Xml ?? throw new InvalidOperationException($"The network {network.Name} was read without its XML.");
                json.WriteStartObject();
                json.WriteString("name", network.Name);
                json.WriteBoolean("active", network.Active);
                json.WriteBoolean("autostart", network.Autostart);
                json.WriteBoolean("persistent", network.Persistent);
                json.WriteString("definition", Save(stem + ".xml", xml.Definition));
                json.WriteString("running", Save(stem + ".running.xml", xml.Running));
                if (xml.Ports is { } ports)
                {
                    json.WriteStartArray("ports");
                    for (int port = 0; port < ports.Count; port++)
                    {
                        json.WriteStringValue(Save(string.Create(CultureInfo.InvariantCulture, $"{stem}.port-{port}.xml"), ports[port]));
                    }

                    json.WriteEndArray();
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("otherNetworks");
            foreach (var name in inventory.NetworkNames.Where(n => !pools.Contains(n)).Order(StringComparer.Ordinal))
            {
                json.WriteStringValue(name);
            }

            json.WriteEndArray();
            json.WriteStartArray("guests");
            index = 0;
            foreach (var guest in inventory.SriovGuests)
            {
                string stem = FileStem("guest", index++, guest.Name);
                var xml = guest.Xml ?? throw new InvalidOperationException($"The guest {guest.Name} was read without its XML.");
                json.WriteStartObject();
                json.WriteString("name", guest.Name);
                json.WriteBoolean("active", guest.Active);
                json.WriteString("definition", Save(stem + ".xml", Private(xml.Definition, $"{DirectoryName}/{stem}.xml", redactions)));
                json.WriteString("running", Save(stem + ".running.xml", Private(xml.Running, $"{DirectoryName}/{stem}.running.xml", redactions)));
                json.WriteEndObject();
            }

            json.WriteEndArray();
            // Guests without SR-IOV: counted, and their names kept, but not their XML.
            json.WriteStartArray("otherGuests");
            foreach (var guest in inventory.Guests.Except(inventory.SriovGuests))
            {
                json.WriteStartObject();
                json.WriteString("name", guest.Name);
                json.WriteBoolean("active", guest.Active);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        written.Insert(0, DirectoryName + "/" + IndexName);
        return written;
    }

    /// <summary>Whether <paramref name="snapshot"/> holds libvirt.</summary>
    public static bool Exists(string snapshot) => File.Exists(Path.Combine(snapshot, DirectoryName, IndexName));

    /// <summary>The URI libvirt was read at and its inventory.</summary>
    /// <exception cref="FormatException">The files are not a snapshot's libvirt.</exception>
    public static (string Uri, LibvirtInventory Inventory) Read(string snapshot)
    {
        string directory = Path.Combine(snapshot, DirectoryName);
        string? Load(JsonElement element, string name) =>
            element.TryGetProperty(name, out var file) && file.GetString() is { } relative ? File.ReadAllText(Within(directory, relative)) : null;

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(directory, IndexName)));
            var root = document.RootElement;
            var networks = new List<HostdevNetworkState>();
            foreach (var network in root.GetProperty("networks").EnumerateArray())
            {
                var ports = network.TryGetProperty("ports", out var list)
                    ? list.EnumerateArray().Select(p => File.ReadAllText(Within(directory, p.GetString() ?? throw new FormatException("A name or file in libvirt.json is null.")))).ToList()
                    : null;
                var xml = new LibvirtXml(Load(network, "definition"), Load(network, "running"), ports);
                if (HostdevNetworkState.FromXml(
                    network.GetProperty("name").GetString() ?? throw new FormatException("A name or file in libvirt.json is null."), network.GetProperty("active").GetBoolean(),
                    network.GetProperty("autostart").GetBoolean(), network.GetProperty("persistent").GetBoolean(), xml) is { } state)
                {
                    networks.Add(state);
                }
            }

            var guests = new List<GuestState>();
            foreach (var guest in root.GetProperty("guests").EnumerateArray())
            {
                guests.Add(GuestState.FromXml(
                    guest.GetProperty("name").GetString() ?? throw new FormatException("A name or file in libvirt.json is null."), guest.GetProperty("active").GetBoolean(), new LibvirtXml(Load(guest, "definition"), Load(guest, "running"))));
            }

            foreach (var guest in root.GetProperty("otherGuests").EnumerateArray())
            {
                string name = guest.GetProperty("name").GetString() ?? throw new FormatException("A name or file in libvirt.json is null.");
                var empty = new GuestXml(name, [], [], [], []);
                bool active = guest.GetProperty("active").GetBoolean();
                guests.Add(new GuestState(name, active, empty, active ? empty : null));
            }

            var others = root.GetProperty("otherNetworks").EnumerateArray().Select(n => n.GetString() ?? throw new FormatException("A name or file in libvirt.json is null."));
            return (root.GetProperty("uri").GetString() ?? throw new FormatException("A name or file in libvirt.json is null."),
                LibvirtInventory.FromStates(networks, guests, others, root.GetProperty("networksListed").GetBoolean()));
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or XmlException or IOException or ArgumentException)
        {
            throw new FormatException($"{directory} is not the libvirt of a snapshot: {e.Message}", e);
        }
    }

    /// <summary>
    /// A guest's XML without what may hold secrets and tells nothing of SR-IOV: its metadata and SMBIOS
    /// data, the kernel command line of a direct boot, QEMU arguments given by hand, and graphics passwords.
    /// </summary>
    private static string? Private(string? xml, string file, List<SriovRedaction> redactions)
    {
        if (xml is null)
        {
            return null;
        }

        XElement domain;
        try
        {
            domain = XElement.Parse(xml, LoadOptions.PreserveWhitespace | LoadOptions.SetLineInfo);
        }
        catch (XmlException)
        {
            return xml;
        }

        int before = redactions.Count;
        void Left(XObject at, string what) => redactions.Add(new SriovRedaction(file, ((IXmlLineInfo)at).LineNumber, what));
        foreach (var element in domain.Elements("metadata").Concat(domain.Elements("sysinfo")).ToList())
        {
            Left(element, element.Name.LocalName);
            element.RemoveNodes();
        }

        if (domain.Element("os")?.Element("cmdline") is { } cmdline)
        {
            Left(cmdline, "os/cmdline");
            cmdline.Value = SecretRedaction.Marker;
        }

        foreach (var value in domain.Descendants().Where(e => e.Name.LocalName == "arg" && e.Parent?.Name.LocalName == "commandline")
                     .Select(e => e.Attribute("value")).OfType<XAttribute>()
                     .Concat(domain.Descendants("graphics").Select(g => g.Attribute("passwd")).OfType<XAttribute>()))
        {
            Left(value, $"{value.Parent!.Name.LocalName}/@{value.Name.LocalName}");
            value.Value = SecretRedaction.Marker;
        }

        return redactions.Count == before ? xml : domain.ToString(SaveOptions.DisableFormatting);
    }

    /// <summary>A file named in the index, refused when its name would lead out of the directory.</summary>
    private static string Within(string directory, string relative) =>
        SafeName().IsMatch(relative) && relative is not ("." or "..") ? Path.Combine(directory, relative) : throw new FormatException($"'{relative}' is not a file name of a snapshot.");

    private static string FileStem(string kind, int index, string name) =>
        string.Create(CultureInfo.InvariantCulture, $"{kind}-{index}-{UnsafeCharacters().Replace(name, "_")}");

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex SafeName();

    [GeneratedRegex("[^A-Za-z0-9._-]")]
    private static partial Regex UnsafeCharacters();
}
