using SriovPS.Configuration;

namespace SriovPS.Commands;

/// <summary>
/// <para type="synopsis">Makes the host as a configuration document says: VF counts, drivers, VF settings, PF link, persistence, libvirt pools, boot files.</para>
/// <para type="description">The steps are planned in a safe order and asked about one by one (-WhatIf shows them all), made under the host's lock, then verified; when a step or the verification fails, what was made is taken back, newest first, unless -NoRollback.</para>
/// </summary>
[Cmdlet(VerbsCommon.Set, "SriovConfiguration", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = PathSet)]
[OutputType(typeof(SriovConfigurationDrift))]
public sealed class SetSriovConfigurationCommand : ConfigurationCmdlet
{
    /// <summary>
    /// Re-creates a PF's VFs to change their count without asking once more, and writes a PF's network file
    /// beside another configuration of its interface (as Set-SriovPf -Force does).
    /// </summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Keeps what the steps made when a later step or the verification fails.</summary>
    [Parameter]
    public SwitchParameter NoRollback { get; set; }

    /// <summary>Outputs what still differs from the document after the change (nothing, when it succeeded).</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    private protected override void Handle(DesiredHost desired)
    {
        try
        {
            var refusals = new List<SriovException>();
            if (Configuration.Plan(desired, Force, rollBack: !NoRollback, refusals) is not { } plan)
            {
                refusals.ForEach(WriteSriovError);
                return;
            }

            var result = ApplyPlan(plan);
            if (result.Accepted.Count + result.Shown.Count + result.Declined.Count + result.Failed.Count == 0)
            {
                WriteVerbose("The host is already as the document asks: no step was made.");
            }
            else if (result.Declined.Count > 0 && result.Made.Count > 0)
            {
                WriteWarning($"{result.Declined.Count} step(s) were declined, so the host was not checked against the document and nothing was taken back. Test-SriovConfiguration shows what differs.");
            }

            if (PassThru && !WhatIfGiven)
            {
                Session.ForgetPfs();
                WriteObject(Configuration.Test(desired), enumerateCollection: true);
            }
        }
        catch (SriovException e)
        {
            WriteSriovError(e);
        }
    }
}
