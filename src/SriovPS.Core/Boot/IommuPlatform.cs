using SriovPS.Native.Files;

namespace SriovPS.Boot;

/// <summary>Whose IOMMU the host has, which decides what the kernel command line must say.</summary>
internal enum IommuVendor
{
    Unknown,
    Intel,
    Amd,
}

/// <summary>
/// The IOMMU the firmware describes (the ACPI DMAR table for Intel VT-d, IVRS for AMD-Vi), else the
/// CPU's vendor: a QEMU guest can have an AMD CPU model and an emulated Intel IOMMU.
/// </summary>
internal static class IommuPlatform
{
    public static (IommuVendor Vendor, string Evidence) Detect(HostFileSystem files)
    {
        if (files.Exists("/sys/firmware/acpi/tables/DMAR"))
        {
            return (IommuVendor.Intel, "the firmware has a DMAR table (Intel VT-d)");
        }

        if (files.Exists("/sys/firmware/acpi/tables/IVRS"))
        {
            return (IommuVendor.Amd, "the firmware has an IVRS table (AMD-Vi)");
        }

        string? cpuinfo = HostText.Read(files, "/proc/cpuinfo");
        if (cpuinfo?.Contains("GenuineIntel", StringComparison.Ordinal) == true)
        {
            return (IommuVendor.Intel, "the CPU is an Intel one");
        }

        if (cpuinfo?.Contains("AuthenticAMD", StringComparison.Ordinal) == true)
        {
            return (IommuVendor.Amd, "the CPU is an AMD one");
        }

        return (IommuVendor.Unknown, "the CPU's vendor is not known");
    }
}
