using System.IO;
using System.Text;
using SriovPS.Native.Files;

namespace SriovPS.Discovery;

/// <summary>
/// Vendor and device names from the system's pci.ids (the file lspci reads). The file is read once
/// per session, and again only when it changes. Nothing is indexed up front: a vendor's line is found
/// by a search of the text when first asked for, and a device's line in its vendor's block, so a new
/// process (each remote command) pays for reading the file, not for walking its 40,000 lines.
/// </summary>
internal sealed class PciIdDatabase
{
    /// <summary>Where distributions install pci.ids: Debian's pci.ids package, and hwdata elsewhere.</summary>
    internal static readonly string[] StandardPaths = ["/usr/share/misc/pci.ids", "/usr/share/hwdata/pci.ids"];

    private static readonly Dictionary<string, (DateTime Written, long Length, PciIdDatabase Database)> Loaded = new(StringComparer.Ordinal);

    private readonly byte[] _text;
    private readonly Dictionary<int, (int Start, int End, string Name)?> _vendors = [];
    private readonly Dictionary<(int Vendor, int Device), string?> _devices = [];

    // Where the vendor list ends: the class list ("C 02  Network controller") follows it.
    private readonly int _vendorListEnd;

    private PciIdDatabase(byte[] text)
    {
        _text = text;
        int classes = text.AsSpan().IndexOf("\nC "u8);
        _vendorListEnd = classes < 0 ? text.Length : classes + 1;
    }

    /// <summary>
    /// The pci.ids of the host's tree, or, for a copied tree that has none, this machine's: names are
    /// reference data, not host state. <c>null</c> when there is none; objects then carry ids alone.
    /// </summary>
    internal static PciIdDatabase? ForHost(HostFileSystem files)
    {
        if (!files.IsLiveHost)
        {
            foreach (var path in StandardPaths)
            {
                // Read through descriptors opened inside the tree: a link in it never leads to this machine's files.
                if (files.ResolvedPathOf(path) is { } resolved && files.Stamp(path, out var written, out long length) == 0
                    && Cached(resolved, written, length, () => files.ReadAll(path, out var text) == 0 ? text : null) is { } database)
                {
                    return database;
                }
            }
        }

        return FromFirstExisting(StandardPaths);
    }

    internal static PciIdDatabase? FromFirstExisting(IEnumerable<string> paths)
    {
        foreach (var path in paths)
        {
            var info = new FileInfo(path);
            if (info.Exists && Cached(path, info.LastWriteTimeUtc, info.Length, () => ReadAllBytes(path)) is { } database)
            {
                return database;
            }
        }

        return null;
    }

    /// <summary>The database of the file <paramref name="key"/> names, read again only when its time or length changed; <c>null</c> when it cannot be read.</summary>
    private static PciIdDatabase? Cached(string key, DateTime written, long length, Func<byte[]?> read)
    {
        lock (Loaded)
        {
            if (Loaded.TryGetValue(key, out var cached) && cached.Written == written && cached.Length == length)
            {
                return cached.Database;
            }

            if (read() is not { } text)
            {
                return null;
            }

            var database = new PciIdDatabase(text);
            Loaded[key] = (written, length, database);
            return database;
        }
    }

    private static byte[]? ReadAllBytes(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Parses ids as sysfs writes them (<c>0x8086</c>) or bare hex (<c>8086</c>).</summary>
    internal static bool TryParseId(string? text, out int id)
    {
        var digits = text.AsSpan();
        if (digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            digits = digits[2..];
        }

        return int.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out id) && digits.Length is > 0 and <= 4;
    }

    internal string? VendorName(int vendor) => VendorBlock(vendor)?.Name;

    internal string? DeviceName(int vendor, int device)
    {
        lock (_devices)
        {
            if (_devices.TryGetValue((vendor, device), out var cached))
            {
                return cached;
            }

            string? name = null;
            if (VendorBlock(vendor) is { } block)
            {
                name = FindDevice(block.Start, block.End, device);
            }

            _devices[(vendor, device)] = name;
            return name;
        }
    }

    // A vendor line is "vvvv  Name" at the start of a line; its devices follow as "\tdddd  Name",
    // subsystems as "\t\t…", and comments may sit between. The block ends at the next vendor line.
    private (int Start, int End, string Name)? VendorBlock(int vendor)
    {
        lock (_vendors)
        {
            if (!_vendors.TryGetValue(vendor, out var block))
            {
                // Absent vendors are kept too: each is searched for once.
                block = FindVendor(vendor);
                _vendors[vendor] = block;
            }

            return block;
        }
    }

    private (int Start, int End, string Name)? FindVendor(int vendor)
    {
        Span<byte> line = stackalloc byte[5];
        line[0] = (byte)'\n';
        var hex = vendor.ToString("x4", CultureInfo.InvariantCulture);
        for (int i = 0; i < 4; i++)
        {
            line[i + 1] = (byte)hex[i];
        }

        var vendors = _text.AsSpan(0, _vendorListEnd);
        int from = 0;
        while (true)
        {
            int at = vendors.StartsWith(line[1..]) && from == 0 ? 0 : Offset(vendors, from, line);
            if (at < 0)
            {
                return null;
            }

            int end = Array.IndexOf(_text, (byte)'\n', at, _vendorListEnd - at);
            end = end < 0 ? _vendorListEnd : end;
            if (TryParseEntry(_text.AsSpan(at, end - at), out int id, out string name) && id == vendor)
            {
                return (end, BlockEnd(end + 1), name);
            }

            from = end;
        }
    }

    // The start of the line after "\n" + the vendor's digits, searching from <paramref name="from"/>.
    private static int Offset(ReadOnlySpan<byte> text, int from, ReadOnlySpan<byte> needle)
    {
        int found = text[from..].IndexOf(needle);
        return found < 0 ? -1 : from + found + 1;
    }

    private int BlockEnd(int start)
    {
        foreach (var (lineStart, lineEnd) in Lines(start, _vendorListEnd))
        {
            if (lineEnd > lineStart && _text[lineStart] != (byte)'\t' && _text[lineStart] != (byte)'#')
            {
                return lineStart;
            }
        }

        return _vendorListEnd;
    }

    private string? FindDevice(int start, int end, int device)
    {
        foreach (var (lineStart, lineEnd) in Lines(start, end))
        {
            var line = _text.AsSpan(lineStart, lineEnd - lineStart);
            if (line.Length > 1 && line[0] == (byte)'\t' && line[1] != (byte)'\t'
                && TryParseEntry(line[1..], out int id, out string name) && id == device)
            {
                return name;
            }
        }

        return null;
    }

    private static bool TryParseEntry(ReadOnlySpan<byte> line, out int id, out string name)
    {
        name = "";
        if (line.Length < 7 || !int.TryParse(line[..4], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out id) || line[4] != (byte)' ')
        {
            id = 0;
            return false;
        }

        name = Encoding.UTF8.GetString(line[4..].Trim((byte)' ')).TrimEnd('\r');
        return name.Length > 0;
    }

    private IEnumerable<(int Start, int End)> Lines(int from = 0, int to = -1)
    {
        int limit = to < 0 ? _text.Length : to;
        int start = from;
        while (start < limit)
        {
            int newline = Array.IndexOf(_text, (byte)'\n', start, limit - start);
            int end = newline < 0 ? limit : newline;
            yield return (start, end);
            start = end + 1;
        }
    }
}
