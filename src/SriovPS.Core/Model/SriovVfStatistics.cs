namespace SriovPS;

/// <summary>
/// A VF's traffic counters as its PF's driver keeps them (<c>ip -s link show</c> under each <c>vf N</c>),
/// read with <c>Get-SriovVf -IncludeStatistics</c>.
/// </summary>
public sealed class SriovVfStatistics
{
    internal SriovVfStatistics()
    {
    }

    public ulong RxPackets { get; internal init; }

    public ulong TxPackets { get; internal init; }

    public ulong RxBytes { get; internal init; }

    public ulong TxBytes { get; internal init; }

    public ulong Broadcast { get; internal init; }

    public ulong Multicast { get; internal init; }

    public ulong RxDropped { get; internal init; }

    public ulong TxDropped { get; internal init; }
}
