using System;
using System.Globalization;
using System.Linq;

namespace SriovPS.Tests.Netlink;

/// <summary>Byte strings written the way the kernel headers lay them out: hex, spaces ignored.</summary>
internal static class Hex
{
    public static byte[] Bytes(string hex)
    {
        string digits = new(hex.Where(c => !char.IsWhiteSpace(c)).ToArray());
        if (digits.Length % 2 != 0)
        {
            throw new FormatException($"odd number of hex digits in '{hex}'");
        }

        return Enumerable.Range(0, digits.Length / 2)
            .Select(i => byte.Parse(digits.AsSpan(i * 2, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture))
            .ToArray();
    }

    public static string Zeros(int count) => string.Concat(Enumerable.Repeat("00", count));

    public static string Of(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes).ToLowerInvariant();
}
