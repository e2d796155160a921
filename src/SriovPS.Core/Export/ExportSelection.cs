namespace SriovPS.Export;

/// <summary>
/// The PFs and VFs an export is given, in the order given: a PF stands for all its VFs, a VF for
/// itself, and a PF given whole wins over single VFs of it, whichever came first.
/// </summary>
internal sealed class ExportSelection
{
    private readonly Dictionary<string, (SriovPf Pf, HashSet<int>? Indexes)> _byAddress = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    public bool IsEmpty => _order.Count == 0;

    /// <summary>Each PF with the VF indexes chosen, or <c>null</c> for all of them.</summary>
    public IReadOnlyList<(SriovPf Pf, IReadOnlySet<int>? Indexes)> Chosen =>
        _order.ConvertAll(address => ((SriovPf, IReadOnlySet<int>?))_byAddress[address]);

    /// <param name="index">The VF, or <c>null</c> for the whole PF.</param>
    public void Add(SriovPf pf, int? index)
    {
        if (!_byAddress.TryGetValue(pf.PciAddress, out var chosen))
        {
            _order.Add(pf.PciAddress);
            _byAddress[pf.PciAddress] = (pf, index is int first ? [first] : null);
        }
        else if (index is int more)
        {
            chosen.Indexes?.Add(more);
        }
        else
        {
            _byAddress[pf.PciAddress] = (pf, null);
        }
    }
}
