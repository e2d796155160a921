using System.Reflection;
using System.Runtime.CompilerServices;

namespace SriovPS.Native;

/// <summary>Maps the logical names in <see cref="Interop.Libraries"/> to the sonames this platform ships.</summary>
internal static class NativeLibraryResolver
{
    private static readonly (string Logical, string[] Sonames)[] Map =
    [
        (Interop.Libraries.Libc, ["libc.so.6"]),
    ];

#pragma warning disable CA2255 // A module initializer is the one place that runs before any interop call.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register()
    {
        NativeLibrary.SetDllImportResolver(typeof(NativeLibraryResolver).Assembly, Resolve);
        // libvirt is optional: loaded now, and when it is missing only libvirt calls refuse (NotInstalled).
        Libvirt.LibvirtLibrary.BindTo(Libvirt.LibvirtLibrary.Soname);
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName == Interop.Libraries.Libvirt)
        {
            return Libvirt.LibvirtLibrary.Handle;
        }

        foreach (var (logical, sonames) in Map)
        {
            if (logical != libraryName)
            {
                continue;
            }

            foreach (var soname in sonames)
            {
                if (NativeLibrary.TryLoad(soname, assembly, searchPath, out var handle))
                {
                    return handle;
                }
            }
        }

        // Let the runtime try, and fail with its own DllNotFoundException naming the library.
        return IntPtr.Zero;
    }
}
