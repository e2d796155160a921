using SriovPS.Native.Libvirt;

namespace SriovPS.Libvirt;

/// <summary>
/// The session's libvirt connections, one per URI, kept open between commands: opening costs a
/// handshake with libvirtd, and <c>test:///default</c> forgets everything when its last connection
/// closes. A connection found dead (libvirtd restarted) is opened again.
/// </summary>
internal static class LibvirtSessions
{
    private static readonly object Gate = new();
    private static readonly Dictionary<string, LibvirtConnection> Connections = new(StringComparer.Ordinal);

    /// <summary>The open connection to <paramref name="uri"/>.</summary>
    /// <exception cref="SriovException">libvirt is not installed (NotInstalled), or the connection failed (ConnectionError, PermissionDenied).</exception>
    public static LibvirtConnection Connect(string uri)
    {
        lock (Gate)
        {
            if (Connections.TryGetValue(uri, out var open))
            {
                if (open.IsAlive)
                {
                    return open;
                }

                Connections.Remove(uri);
                open.Dispose();
            }

            LibvirtConnection connection;
            try
            {
                connection = LibvirtConnection.Open(uri);
            }
            catch (LibvirtNotInstalledException e)
            {
                throw LibvirtErrors.NotInstalled(e);
            }
            catch (LibvirtException e)
            {
                throw LibvirtErrors.ConnectionFailed(uri, e);
            }

            Connections[uri] = connection;
            return connection;
        }
    }

    /// <summary>Closes the session's connection to <paramref name="uri"/>, if any.</summary>
    public static void Disconnect(string uri)
    {
        lock (Gate)
        {
            if (Connections.Remove(uri, out var connection))
            {
                connection.Dispose();
            }
        }
    }
}
