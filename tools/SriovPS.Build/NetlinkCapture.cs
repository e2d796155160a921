using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using SriovPS.Native.Netlink;

namespace SriovPS.Build;

/// <summary>
/// Keeps the kernel's own <c>RTM_NEWLINK</c> reply for one interface as test data: the exact bytes,
/// as hex text with a comment header, so decoder tests run on what a real driver sent.
/// </summary>
internal static class NetlinkCapture
{
    internal static void Capture(string interfaceName, string file, bool statistics, string? comment)
    {
        using var socket = NetlinkSocket.Open();
        byte[]? reply = null;
        socket.Transact(
            LinkQueries.BuildGet(0, interfaceName, LinkQueries.ExtMask(vfs: true, statistics)),
            message => reply ??= message.ToArray());
        if (reply is null)
        {
            throw new InvalidOperationException($"The kernel sent no RTM_NEWLINK for {interfaceName}.");
        }

        string release = File.Exists("/proc/sys/kernel/osrelease") ? File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : "unknown";
        var header = new List<string>
        {
            $"RTM_NEWLINK for {interfaceName} from Linux {release}, VF statistics {(statistics ? "included" : "skipped")}, {reply.Length} bytes.",
        };
        if (!string.IsNullOrWhiteSpace(comment))
        {
            header.Add(comment);
        }

        File.WriteAllText(file, Format(reply, header));
    }

    /// <summary>'#' comment lines, then the bytes as lowercase hex, 16 to a line.</summary>
    internal static string Format(ReadOnlySpan<byte> bytes, IEnumerable<string> comments)
    {
        var text = new StringBuilder();
        foreach (var line in comments)
        {
            text.Append("# ").Append(line).Append('\n');
        }

        for (int offset = 0; offset < bytes.Length; offset += 16)
        {
            var row = bytes.Slice(offset, Math.Min(16, bytes.Length - offset));
            for (int i = 0; i < row.Length; i++)
            {
                text.Append(i == 0 ? string.Empty : " ").Append(row[i].ToString("x2", CultureInfo.InvariantCulture));
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    /// <summary>The bytes of a file written by <see cref="Format"/>.</summary>
    internal static byte[] Parse(string text)
    {
        var bytes = new List<byte>();
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith('#'))
            {
                continue;
            }

            foreach (var pair in line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                bytes.Add(byte.Parse(pair, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
            }
        }

        return [.. bytes];
    }
}
