namespace SriovPS.Libvirt;

/// <summary>A PF of this host and the PCI addresses of the VFs it has now: what a pool on it can hand out.</summary>
internal sealed record PfVfAddresses(string Name, string PciAddress, IReadOnlyList<string> VfAddresses);
