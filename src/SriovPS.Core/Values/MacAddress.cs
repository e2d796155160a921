namespace SriovPS.Values;

/// <summary>The Ethernet addresses a PF may assign to a VF: six octets, unicast, not all zeros.</summary>
internal static class MacAddress
{
    internal const int Length = 6;

    /// <summary>
    /// Parses <c>02:53:52:00:00:10</c> (or with '-' between octets, as Windows writes it) and checks it
    /// can be a VF's administrative MAC.
    /// </summary>
    /// <exception cref="SriovException">Malformed, multicast or broadcast, or all zeros.</exception>
    internal static byte[] ParseUnicast(string text)
    {
        var address = TryParse(text) ?? throw Invalid(
            text, $"'{text}' is not a MAC address: write six hexadecimal octets separated by ':' (02:53:52:00:00:10).");

        if ((address[0] & 0x01) != 0)
        {
            throw Invalid(text, $"'{text}' is a multicast or broadcast address (the low bit of its first octet is set): a VF needs a unicast MAC.");
        }

        if (Array.TrueForAll(address, static octet => octet == 0))
        {
            throw Invalid(text, $"'{text}' is all zeros, which the kernel takes as \"no administrative MAC\": use -ClearMacAddress to remove a VF's MAC.");
        }

        return address;
    }

    /// <summary>Six octets, or <c>null</c> when <paramref name="text"/> is not a MAC address.</summary>
    internal static byte[]? TryParse(string? text)
    {
        if (text is null || text.Length != (Length * 3) - 1)
        {
            return null;
        }

        char separator = text[2];
        if (separator is not (':' or '-'))
        {
            return null;
        }

        var address = new byte[Length];
        for (int octet = 0; octet < Length; octet++)
        {
            int start = octet * 3;
            if ((octet > 0 && text[start - 1] != separator)
                || !byte.TryParse(text.AsSpan(start, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out address[octet]))
            {
                return null;
            }
        }

        return address;
    }

    private static SriovException Invalid(string text, string message) =>
        new(ErrorCatalog.InvalidMacAddress, message, text);
}
