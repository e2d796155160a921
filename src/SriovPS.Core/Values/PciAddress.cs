namespace SriovPS.Values;

/// <summary>PCI addresses as sysfs spells them: <c>dddd:bb:ss.f</c>, lower-case hex.</summary>
internal static class PciAddress
{
    /// <summary>True for a full address such as <c>0000:04:10.4</c>.</summary>
    public static bool IsValid(ReadOnlySpan<char> text) =>
        text.Length == 12
        && IsHex(text[..4]) && text[4] == ':'
        && IsHex(text[5..7]) && text[7] == ':'
        && IsHex(text[8..10]) && text[8] <= '1' && text[10] == '.'
        && text[11] is >= '0' and <= '7';

    /// <summary>The canonical form of a full or domain-less address (<c>04:00.0</c> → <c>0000:04:00.0</c>).</summary>
    /// <exception cref="SriovException">The text is not a PCI address.</exception>
    public static string Normalize(string text)
    {
        string full = text.Length == 7 ? "0000:" + text : text;
        full = full.ToLowerInvariant();
        if (!IsValid(full))
        {
            throw new SriovException(
                ErrorCatalog.InvalidPciAddress,
                $"'{text}' is not a PCI address.",
                text,
                "Write it as domain:bus:slot.function, for example 0000:04:00.0 or 04:00.0.");
        }

        return full;
    }

    /// <summary>
    /// A -PciAddress argument as a pattern: a literal address normalized (<c>04:00.0</c> matches
    /// <c>0000:04:00.0</c>), a wildcard pattern checked for characters no address holds and given
    /// domain 0000 when it names none (<c>04:00.*</c>).
    /// </summary>
    /// <exception cref="SriovException">It is neither.</exception>
    public static NamePattern ToPattern(string text)
    {
        if (!NamePattern.HasWildcards(text))
        {
            return NamePattern.Parse(Normalize(text));
        }

        foreach (char c in text)
        {
            if (!char.IsAsciiHexDigit(c) && c is not (':' or '.' or '*' or '?' or '[' or ']' or '-'))
            {
                throw new SriovException(
                    ErrorCatalog.InvalidPciAddress,
                    $"'{text}' is not a PCI address pattern: it contains '{c}'.",
                    text,
                    "Write it as domain:bus:slot.function with wildcards, for example 0000:04:*.");
            }
        }

        // Without a domain (04:00.*) the pattern stands for domain 0000, as a literal address does.
        return NamePattern.Parse(text.AsSpan().Count(':') == 1 && !text.StartsWith('*') ? "0000:" + text : text);
    }

    private static bool IsHex(ReadOnlySpan<char> text)
    {
        foreach (char c in text)
        {
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
