namespace SriovPS.Persistence.NetworkFiles;

/// <summary>
/// A shell glob (<c>*</c>, <c>?</c>, <c>[a-z]</c>, <c>[!x]</c>) against one name, case-sensitive, as
/// fnmatch(3) without flags matches it: what ifupdown's <c>source</c>, netplan's <c>match: name:</c>
/// and systemd-networkd's <c>Name=</c> take.
/// </summary>
internal static class ShellGlob
{
    /// <summary>Whether any of '*', '?' or '[' makes <paramref name="pattern"/> more than a plain name.</summary>
    public static bool HasWildcards(string pattern) => pattern.AsSpan().IndexOfAny("*?[") >= 0;

    public static bool Matches(ReadOnlySpan<char> pattern, ReadOnlySpan<char> name)
    {
        // Greedy with one backtrack point: the last '*' seen absorbs one more character on a mismatch.
        int p = 0, n = 0, starPattern = -1, starName = 0;
        while (n < name.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                starPattern = ++p;
                starName = n;
            }
            else if (p < pattern.Length && MatchesOne(pattern, p, name[n], out int next))
            {
                p = next;
                n++;
            }
            else if (starPattern >= 0)
            {
                p = starPattern;
                n = ++starName;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    /// <summary>Whether the pattern element at <paramref name="at"/> matches <paramref name="c"/>; <paramref name="next"/> is the element after it.</summary>
    private static bool MatchesOne(ReadOnlySpan<char> pattern, int at, char c, out int next)
    {
        switch (pattern[at])
        {
            case '?':
                next = at + 1;
                return true;
            case '\\' when at + 1 < pattern.Length:
                next = at + 2;
                return pattern[at + 1] == c;
            case '[':
                int i = at + 1;
                bool negated = i < pattern.Length && pattern[i] is '!' or '^';
                if (negated)
                {
                    i++;
                }

                // A ']' first in the set is a member; without a closing ']' the '[' is a plain character.
                int close = i < pattern.Length ? pattern[(i + 1)..].IndexOf(']') : -1;
                if (close < 0)
                {
                    next = at + 1;
                    return c == '[';
                }

                close += i + 1;
                bool member = false;
                for (int j = i; j < close; j++)
                {
                    bool range = j + 2 < close && pattern[j + 1] == '-';
                    member |= range ? c >= pattern[j] && c <= pattern[j + 2] : c == pattern[j];
                    j += range ? 2 : 0;
                }

                next = close + 1;
                return member != negated;
            default:
                next = at + 1;
                return pattern[at] == c;
        }
    }
}
