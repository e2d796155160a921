namespace SriovPS;

/// <summary>The link state a PF imposes on a VF: <c>ip link set … vf N state auto|enable|disable</c>.</summary>
public enum VfLinkState
{
    Auto = 0,
    Enable,
    Disable,
}
