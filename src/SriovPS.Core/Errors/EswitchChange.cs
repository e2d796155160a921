namespace SriovPS.Errors;

/// <summary>One eswitch mode change as asked, for the errors that report its refusal.</summary>
/// <param name="PfDescription">The PF as users know it (<c>0000:04:00.0 (eno49)</c>): the error's target.</param>
/// <param name="PfDriver">The PF's driver (<c>mlx5_core</c>), named in refusals when known.</param>
internal sealed record EswitchChange(string BusName, string DeviceName, EswitchMode Mode, string PfDescription, string? PfDriver)
{
    /// <summary>The devlink handle, <c>pci/0000:04:00.0</c>.</summary>
    internal string Handle => BusName + "/" + DeviceName;

    /// <summary>The devlink command that does the same: what users can try and search for.</summary>
    internal string Command => $"devlink dev eswitch set {Handle} mode {ModeName(Mode)}";

    /// <summary>The mode as devlink(8) spells it.</summary>
    internal static string ModeName(EswitchMode mode) => mode == EswitchMode.Switchdev ? "switchdev" : "legacy";
}
