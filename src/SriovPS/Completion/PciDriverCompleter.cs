using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Language;
using SriovPS.Errors;
using SriovPS.Host;

namespace SriovPS.Completion;

/// <summary>Completes -Driver with Default, vfio-pci and the PCI drivers the host has registered.</summary>
public sealed class PciDriverCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        string word = wordToComplete.Trim('\'', '"');
        var names = new SortedSet<string>(System.StringComparer.Ordinal) { VfDriverName.VfioPci };
        try
        {
            names.UnionWith(VfDriverName.Registered(HostContext.FromEnvironment()));
        }
        catch (SriovException)
        {
            // Offer the fixed names rather than an error while the user is typing.
        }

        var offered = new List<string> { VfDriverName.Default };
        offered.AddRange(names);
        foreach (var name in offered)
        {
            if (name.StartsWith(word, System.StringComparison.OrdinalIgnoreCase))
            {
                yield return new CompletionResult(name, name, CompletionResultType.ParameterValue, name);
            }
        }
    }
}
