namespace SriovPS.Native;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>
        /// fdopendir(3): a DIR* that takes over <paramref name="fd"/>, or null with errno, when
        /// <paramref name="fd"/> stays the caller's. On success <paramref name="fd"/> is marked invalid:
        /// closedir(3) closes the descriptor, so the handle must never close it too.
        /// </summary>
        internal static SafeDirectoryHandle FdOpenDir(SafeFileDescriptor fd)
        {
            // The reference is held from the call until the hand-over, so a Dispose on another thread
            // cannot close the descriptor in between, once the DIR* owns it.
            bool added = false;
            fd.DangerousAddRef(ref added);
            try
            {
                var directory = FdOpenDirCore(fd);
                if (!directory.IsInvalid)
                {
                    fd.SetHandleAsInvalid();
                }

                return directory;
            }
            finally
            {
                if (added)
                {
                    fd.DangerousRelease();
                }
            }
        }

        [LibraryImport(Libraries.Libc, EntryPoint = "fdopendir", SetLastError = true)]
        private static partial SafeDirectoryHandle FdOpenDirCore(SafeFileDescriptor fd);
    }
}
