using SriovPS.Configuration;

namespace SriovPS.Commands;

/// <summary>
/// <para type="synopsis">Compares a configuration document with the host: one object per setting that differs, with the command that fixes it.</para>
/// <para type="description">Only what the document names is compared. -Quiet returns $true when the host is as the document asks.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "SriovConfiguration", DefaultParameterSetName = PathSet)]
[OutputType(typeof(SriovConfigurationDrift), typeof(bool))]
public sealed class TestSriovConfigurationCommand : ConfigurationCmdlet
{
    /// <summary>Returns $true when nothing differs, $false otherwise, instead of the differences.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    private protected override void Handle(DesiredHost desired)
    {
        List<SriovConfigurationDrift> drifts;
        try
        {
            drifts = Configuration.Test(desired);
        }
        catch (SriovException e)
        {
            WriteSriovError(e);
            return;
        }

        if (Quiet)
        {
            WriteObject(drifts.Count == 0);
        }
        else
        {
            WriteObject(drifts, enumerateCollection: true);
        }
    }
}
