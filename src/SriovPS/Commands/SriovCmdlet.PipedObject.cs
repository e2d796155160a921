using System.Management.Automation.Internal;
using System.Reflection;

namespace SriovPS.Commands;

/// <summary>
/// What a command makes of the object piped to it, beyond the parameters its properties bind to: where
/// it came from (PSComputerName), and what it is (a VF, a PF, a pool), live or from remoting.
/// </summary>
public abstract partial class SriovCmdlet
{
    /// <summary>
    /// The PFs a PF-taking command works on for this record: a PF piped in is found again by its PCI
    /// address, which holds even when it has no interface name; anything else by the names bound to
    /// <paramref name="parameter"/>.
    /// </summary>
    internal List<SriovPf> NamedOrPipedPfs(string[]? names, string parameter) =>
        PipedType("SriovPf") && PipedProperty("PciAddress") is { Length: > 0 } address
            ? Session.SelectPfsAt([address])
            : Session.SelectPfs(GivenNames(names, parameter));

    /// <summary>
    /// Whether the object now piped in may be acted on here, reporting why not: it must come from this
    /// host (not from another computer through remoting) and, for a command that acts on whole PFs
    /// (<paramref name="actsOnWholePf"/>), must not stand for one VF (a VF, or a guest's interface),
    /// whose PfName would otherwise select all of its PF.
    /// </summary>
    private protected bool AcceptPipedObject(bool actsOnWholePf = false)
    {
        if (MyInvocation.ExpectingInput && CurrentPipelineObject is null)
        {
            // Without the object the checks below cannot be made: a change is refused rather than made unchecked.
            if (actsOnWholePf || MyInvocation.MyCommand is CmdletInfo { ImplementingType: { } type } && ChangesTheHost(type))
            {
                ThrowSriovError(new SriovException(
                    ErrorCatalog.PipedObjectUnreadable,
                    $"This PowerShell does not let {MyInvocation.MyCommand.Name} see the objects piped to it, so it cannot tell a VF or an object from another computer from this host's PF; nothing was changed.",
                    MyInvocation.MyCommand.Name,
                    "Name the PFs or VFs with parameters (-PfName, -Index) instead of piping them."));
            }

            return true;
        }

        if (PipedProperty("PSComputerName") is { Length: > 0 } computer && !CameFromThisHost(computer, PipedProperty(OriginProperty), out string here))
        {
            WriteSriovError(new SriovException(
                ErrorCatalog.ObjectFromOtherHost,
                $"The object piped in came from '{computer}' (its PSComputerName{OriginText(PipedProperty(OriginProperty))}), but {MyInvocation.MyCommand.Name} works on {here}; it is not applied here.",
                computer,
                $"Run the command on '{computer}' itself: Invoke-Command -ComputerName {computer} {{ ... }}."));
            return false;
        }

        if (actsOnWholePf && (PipedType("SriovVf") || PipedType("VmSriovInterface")))
        {
            string what = PipedType("SriovVf") ? "a VF" : "a guest's SR-IOV interface (one VF)";
            string pf = PipedProperty("PfName") is { Length: > 0 } name ? $" of {name}" : string.Empty;
            WriteSriovError(new SriovException(
                ErrorCatalog.VfGivenForPf,
                $"{MyInvocation.MyCommand.Name} acts on a whole PF, and the object piped in is {what}{pf}: it is refused rather than applied to every VF of its PF.",
                PipedObject?.TypeNames[0],
                "Pipe the PF (Get-SriovPf), or name it with -PfName."));
            return false;
        }

        return true;
    }

    /// <summary>
    /// The note property that an object sent through remoting carries: the name of the host it was read
    /// on, as that host knows itself. The client's name for a host (its PSComputerName) may be an
    /// address or an ssh alias, so a changer on that host recognises its own objects by this name.
    /// </summary>
    internal const string OriginProperty = "SriovHost";

    /// <summary>
    /// Whether an object from <paramref name="computer"/> (its PSComputerName) was read on the host this
    /// command works on: by that name, or by the host's own name it carries (<paramref name="origin"/>),
    /// which must be that name exactly: loopback names and short forms name no host in particular.
    /// </summary>
    private protected bool CameFromThisHost(string computer, string? origin, out string here) =>
        IsThisHost(computer, out here) | (origin is { Length: > 0 } && OriginName is { } own && IsOwnName(own, origin));

    private static bool IsOwnName(string own, string origin) =>
        own.Equals(origin.Trim(), StringComparison.OrdinalIgnoreCase)
        && !own.Equals("localhost", StringComparison.OrdinalIgnoreCase) && !own.StartsWith("localhost.", StringComparison.OrdinalIgnoreCase);

    /// <summary>The name this command's objects carry as <see cref="OriginProperty"/>: the host read, as it names itself.</summary>
    private protected virtual string? OriginName => TargetHost.HostName is { Length: > 0 } name ? name : null;

    private static string OriginText(string? origin) => origin is { Length: > 0 } ? $"; read on '{origin}'" : string.Empty;

    /// <summary>
    /// Writes the objects a command read, each marked with this host's own name (<see cref="OriginProperty"/>)
    /// when the command runs in a remote session, where they leave for a client that may know this host
    /// by another name; elsewhere they are written as they are.
    /// </summary>
    private protected void WriteHostObjects(System.Collections.IEnumerable items)
    {
        foreach (var item in items)
        {
            WriteHostObject(item);
        }
    }

    /// <inheritdoc cref="WriteHostObjects"/>
    private protected void WriteHostObject(object item)
    {
        if (SessionState.PSVariable.GetValue("PSSenderInfo") is null || OriginName is not { } name)
        {
            WriteObject(item);
            return;
        }

        var marked = PSObject.AsPSObject(item);
        if (marked.Properties[OriginProperty] is null)
        {
            marked.Properties.Add(new PSNoteProperty(OriginProperty, name));
        }

        WriteObject(marked);
    }

    private static bool ChangesTheHost(Type type) =>
        type.GetCustomAttribute<CmdletAttribute>() is { SupportsShouldProcess: true };

    /// <summary>
    /// Whether <paramref name="computer"/> (an object's PSComputerName) is the host this command works on,
    /// and how to name that host in an error.
    /// </summary>
    private protected virtual bool IsThisHost(string computer, out string here)
    {
        here = TargetHost.IsLiveHost
            ? $"this computer ('{TargetHost.HostName}')"
            : $"the host tree '{TargetHost.Root}'{(TargetHost.HostName is { } name ? $" ('{name}')" : string.Empty)}";
        return TargetHost.IsNamed(computer);
    }

    /// <summary>
    /// The object piped in for the record being processed (null without pipeline input), whatever
    /// parameters its properties bound to. PowerShell keeps it on every command (it is <c>$_</c> in
    /// script commands) but gives compiled cmdlets no public way to read it; reading it here, rather
    /// than through catch-all parameters, leaves the binder's choice of parameter set untouched.
    /// </summary>
    private protected PSObject? PipedObject =>
        MyInvocation.ExpectingInput ? CurrentPipelineObject?.GetValue(this) as PSObject : null;

    private static readonly PropertyInfo? CurrentPipelineObject = typeof(InternalCommand).GetProperty(
        "CurrentPipelineObject", BindingFlags.Instance | BindingFlags.NonPublic);

    /// <summary>A property of the object piped in, as text; null when there is none.</summary>
    private protected string? PipedProperty(string name) => PipedObject?.Properties[name]?.Value?.ToString();

    /// <summary>Whether the object piped in is a SriovPS object of type <paramref name="name"/>, live or from remoting.</summary>
    private protected bool PipedType(string name) =>
        PipedObject is { } piped && piped.TypeNames.Any(n => n == $"SriovPS.{name}" || n == $"Deserialized.SriovPS.{name}");
}
