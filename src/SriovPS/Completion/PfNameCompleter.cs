using System.Collections;
using System.Management.Automation.Language;
using SriovPS.Commands;
using SriovPS.Discovery;
using SriovPS.Values;

namespace SriovPS.Completion;

/// <summary>Completes PF interface names from the host the command being typed would read.</summary>
public sealed class PfNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        List<SriovPf> pfs;
        NamePattern prefix;
        string word = wordToComplete.Trim('\'', '"');
        try
        {
            prefix = NamePattern.Parse(NamePattern.HasWildcards(word) ? word : word + "*");
            pfs = SriovDiscovery.SysfsOnly(HostRootChoice.ForCompletion(fakeBoundParameters)).GetPfs();
        }
        catch (SriovException)
        {
            // Completion offers nothing rather than an error while the user is typing.
            yield break;
        }

        foreach (var pf in pfs)
        {
            if (pf.Name is not null && prefix.IsMatch(pf.Name))
            {
                string tooltip = $"{pf.PciAddress} {pf.Driver} {pf.NumVfs}/{pf.TotalVfs} VFs";
                yield return new CompletionResult(pf.Name, pf.Name, CompletionResultType.ParameterValue, tooltip);
            }
        }
    }
}
