namespace SriovPS.Libvirt.Networks;

/// <summary>A persistent network as it was before it was removed, to define (and mark, and start) it again.</summary>
/// <param name="Xml">Its definition (the inactive XML).</param>
internal sealed record SavedNetwork(string Name, string Xml, bool Autostart, bool Active);
