namespace SriovPS;

/// <summary>An interface's operational state, as <c>/sys/class/net/&lt;name&gt;/operstate</c> reports it (RFC 2863).</summary>
public enum LinkState
{
    Unknown = 0,
    NotPresent,
    Down,
    LowerLayerDown,
    Testing,
    Dormant,
    Up,
}
