namespace SriovPS.Values;

/// <summary>The kernel's rules for network interface names, checked before any file is read.</summary>
internal static class InterfaceName
{
    /// <summary>IFNAMSIZ is 16 including the terminating NUL.</summary>
    public const int MaxLength = 15;

    /// <summary>
    /// Throws when <paramref name="name"/> cannot be an interface name. A name with wildcards is
    /// checked for the characters no interface name holds; its length is not limited, since a
    /// pattern such as <c>[e][n][o]49</c> is longer than the names it matches.
    /// </summary>
    /// <exception cref="SriovException">The name is empty, too long, or holds '/', ':', '..' or whitespace.</exception>
    public static void Validate(string? name)
    {
        string? problem = Problem(name);
        if (problem is not null)
        {
            throw new SriovException(
                ErrorCatalog.InvalidInterfaceName,
                $"'{name}' is not a valid interface name: {problem}.",
                name,
                $"Interface names have 1 to {MaxLength} characters and no '/', ':', '..' or whitespace.");
        }
    }

    private static string? Problem(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "it is empty";
        }

        if (!NamePattern.HasWildcards(name) && name.Length > MaxLength)
        {
            return $"it has {name.Length} characters, more than the kernel's {MaxLength}";
        }

        if (name.Contains(".."))
        {
            return "it contains '..'";
        }

        foreach (char c in name)
        {
            if (c == '/' || c == ':')
            {
                return $"it contains '{c}'";
            }

            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                return "it contains whitespace or a control character";
            }
        }

        return null;
    }
}
