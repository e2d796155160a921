namespace SriovPS;

/// <summary>A PF's embedded switch mode, as <c>devlink dev eswitch show</c> reports it.</summary>
public enum EswitchMode
{
    Legacy = 0,
    Switchdev,
}
