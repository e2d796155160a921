namespace SriovPS.Kernel;

/// <summary>One offload feature of a network interface, as <c>ethtool -k</c> shows it.</summary>
/// <param name="Active">Whether it is on now.</param>
/// <param name="Changeable">Whether the driver lets it be turned on or off (<c>[fixed]</c> when not).</param>
internal readonly record struct NetdevFeatureState(bool Active, bool Changeable);
