using System.Buffers;
using System.Text;

namespace SriovPS.Hosting;

/// <summary>
/// The bytes of a configuration file as text the editors can work on, and back, byte for byte: UTF-8
/// is decoded as UTF-8, and each byte that is not (a Latin-1 comment, a stray byte) becomes a lone
/// surrogate U+DC80–U+DCFF, which no decoded UTF-8 can hold, so it is written back as the same byte.
/// A byte order mark stays a character of the text. The editors only look for ASCII, so they pass
/// such characters through like any other.
/// </summary>
internal static class ConfigText
{
    private const char EscapeBase = '\uDC00';

    /// <summary>The text of <paramref name="bytes"/>; <see cref="Encode"/> gives the same bytes back.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length);
        Span<char> pair = stackalloc char[2];
        while (!bytes.IsEmpty)
        {
            var status = Rune.DecodeFromUtf8(bytes, out Rune rune, out int consumed);
            if (status == OperationStatus.Done)
            {
                int length = rune.EncodeToUtf16(pair);
                text.Append(pair[..length]);
            }
            else
            {
                // Only the first byte is escaped: what follows may start a valid sequence.
                consumed = 1;
                text.Append((char)(EscapeBase + bytes[0]));
            }

            bytes = bytes[consumed..];
        }

        return text.ToString();
    }

    /// <summary>The bytes of <paramref name="text"/>: UTF-8, with each escaped byte written as itself.</summary>
    public static byte[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var bytes = new ArrayBufferWriter<byte>(text.Length + 16);
        Span<byte> buffer = stackalloc byte[4];
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (IsEscapedByte(text, i))
            {
                buffer[0] = (byte)(c - EscapeBase);
                bytes.Write(buffer[..1]);
                continue;
            }

            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                var rune = new Rune(c, text[++i]);
                bytes.Write(buffer[..rune.EncodeToUtf8(buffer)]);
                continue;
            }

            if (char.IsSurrogate(c))
            {
                throw new ArgumentException($"The text holds a lone surrogate U+{(int)c:X4} at {i} that stands for no byte.", nameof(text));
            }

            bytes.Write(buffer[..new Rune(c).EncodeToUtf8(buffer)]);
        }

        return bytes.WrittenSpan.ToArray();
    }

    /// <summary>Whether the text holds bytes that are not UTF-8.</summary>
    public static bool HasEscapedBytes(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (IsEscapedByte(text, i))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A line for a reader (-WhatIf, a change record): each byte that is not UTF-8 shown as <c>\xE9</c>.</summary>
    public static string Printable(string line)
    {
        if (!HasEscapedBytes(line))
        {
            return line;
        }

        var text = new StringBuilder(line.Length + 8);
        for (int i = 0; i < line.Length; i++)
        {
            if (IsEscapedByte(line, i))
            {
                text.Append("\\x").Append(((int)(line[i] - EscapeBase)).ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                text.Append(line[i]);
            }
        }

        return text.ToString();
    }

    /// <summary>A low surrogate of U+DC80–U+DCFF with no high surrogate before it: UTF-8 never decodes to one.</summary>
    private static bool IsEscapedByte(string text, int i) =>
        text[i] is >= '\uDC80' and <= '\uDCFF' && (i == 0 || !char.IsHighSurrogate(text[i - 1]));
}
