using SriovPS.Native;
using SriovPS.Native.Files;

namespace SriovPS.Errors;

/// <summary>The errors of a host path that cannot be used as it stands, whoever meets them.</summary>
internal static class HostPathErrors
{
    /// <summary>
    /// A path of a copied tree that goes through a link with no target inside the tree: following it
    /// would read or write this machine's files (or nothing), never the copied host's.
    /// </summary>
    public static SriovException OutsideRoot(HostFileSystem files, string hostPath, string action)
    {
        string link = LinkLeadingOut(files, hostPath) is { } found ? $" ({found.Path} → {found.Target})" : "";
        return new SriovException(
            ErrorCatalog.HostPathOutsideRoot,
            $"Could not {action} {hostPath}: it leads through a symbolic link{link} whose target is not inside the host tree '{files.Root}'. "
                + "In a copied tree SriovPS follows links as that host would, inside the tree, so nothing outside it was read or changed.",
            hostPath,
            "Copy what the link points to into the tree (or replace the link with the directory or file it stands for).");
    }

    /// <summary>A path that is a directory where a file belongs, or the other way round.</summary>
    public static SriovException WrongType(string hostPath, string what, string action) => new(
        ErrorCatalog.HostPathWrongType,
        $"Could not {action} {hostPath}: {what}. Nothing was changed.",
        hostPath,
        $"Move {hostPath} aside (SriovPS does not remove what it did not make), then run the command again.");

    /// <summary>
    /// The errors a path's own state explains (a link out of the tree, a directory, a component that is
    /// not a directory); <c>null</c> for the others, which the caller words itself.
    /// </summary>
    public static SriovException? ForPath(HostFileSystem files, string hostPath, int errno, string action) => errno switch
    {
        Errno.EXDEV => OutsideRoot(files, hostPath, action),
        Errno.EISDIR => WrongType(hostPath, "it is a directory, not a file", action),
        Errno.EINVAL => WrongType(hostPath, "it is not a regular file (a FIFO, socket or device)", action),
        Errno.ENOTDIR => WrongType(hostPath, "a part of its path is a file, not a directory", action),
        _ => null,
    };

    /// <summary>The first link on the path whose target does not resolve inside the tree.</summary>
    private static (string Path, string Target)? LinkLeadingOut(HostFileSystem files, string hostPath)
    {
        string prefix = "";
        foreach (var part in hostPath.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            prefix += "/" + part;
            if (files.ReadLink(prefix) is { } target && !files.Exists(prefix))
            {
                return (prefix, target);
            }
        }

        return null;
    }
}
