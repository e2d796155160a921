namespace SriovPS.Libvirt;

/// <summary>Which libvirt a command talks to.</summary>
internal static class LibvirtUri
{
    /// <summary>The variable libvirt's own tools read for their default URI.</summary>
    public const string EnvironmentVariable = "LIBVIRT_DEFAULT_URI";

    /// <summary>The system instance, where <c>virsh</c> run as root defines networks and guests.</summary>
    public const string System = "qemu:///system";

    /// <summary><c>$env:LIBVIRT_DEFAULT_URI</c> when set, else <see cref="System"/>: the URI virsh would use as root.</summary>
    public static string Default() =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } uri ? uri : System;

    /// <summary>
    /// Whether <paramref name="uri"/> names libvirt on another machine (<c>qemu+ssh://host/system</c>),
    /// whose PFs this host cannot see.
    /// </summary>
    public static bool IsRemote(string uri) => RemoteHost(uri) is not null;

    /// <summary>
    /// The machine a remote URI names (<c>qemu+ssh://root@node7:22/system</c> → <c>node7</c>);
    /// null for this machine's libvirt.
    /// </summary>
    public static string? RemoteHost(string uri)
    {
        int scheme = uri.IndexOf("://", StringComparison.Ordinal);
        if (scheme < 0)
        {
            return null;
        }

        var rest = uri.AsSpan(scheme + 3);
        int end = rest.IndexOfAny('/', '?');
        var host = end < 0 ? rest : rest[..end];
        host = host[(host.LastIndexOf('@') + 1)..];
        if (host.StartsWith("[") && host.IndexOf(']') is > 0 and int close)
        {
            host = host[1..close];
        }
        else if (host.LastIndexOf(':') is >= 0 and int port)
        {
            host = host[..port];
        }

        return host.Length == 0 || host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ? null : host.ToString();
    }
}
