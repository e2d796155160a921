namespace SriovPS.Libvirt.Guests;

/// <summary>
/// What Add-VmSriovInterface was asked: interfaces for guest <see cref="VmName"/> on pool
/// <see cref="Network"/> (<see cref="Count"/> of them) or on the fixed VF <see cref="VfPciAddress"/>,
/// in the guest's definition (<see cref="Config"/>) and/or the running guest (<see cref="Live"/>).
/// </summary>
/// <param name="MacAddresses">One per interface; null to have MACs made that no guest uses.</param>
/// <param name="VfDescription">How to name the fixed VF in messages ("eno49 vf 0").</param>
internal sealed record VmInterfaceRequest(
    string VmName,
    string? Network,
    string? VfPciAddress,
    string? VfDescription,
    IReadOnlyList<string>? MacAddresses,
    int? Count,
    int? Vlan,
    string? VirtualPortProfileId,
    bool Config,
    bool Live);
