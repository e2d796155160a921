using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Language;
using SriovPS.Errors;
using SriovPS.Host;
using SriovPS.Libvirt;
using SriovPS.Native.Libvirt;

namespace SriovPS.Completion;

/// <summary>Completes the names of the SR-IOV (hostdev) networks of the libvirt the command would use.</summary>
public sealed class LibvirtNetworkNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        string word = wordToComplete.Trim('\'', '"');
        string uri = fakeBoundParameters["Uri"] as string ?? LibvirtUri.Default();
        var names = new List<string>();
        NamePattern prefix;
        try
        {
            prefix = NamePattern.Parse(NamePattern.HasWildcards(word) ? word : word + "*");
            foreach (var network in LibvirtInventory.Read(LibvirtSessions.Connect(uri)).Networks)
            {
                names.Add(network.Name);
            }
        }
        catch (SriovException)
        {
            // Completion offers nothing rather than an error while the user is typing.
            yield break;
        }
        catch (LibvirtException)
        {
            yield break;
        }

        names.Sort(System.StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (prefix.IsMatch(name))
            {
                string text = name.IndexOfAny([' ', '\'', '$', '`']) >= 0 ? "'" + name.Replace("'", "''", System.StringComparison.Ordinal) + "'" : name;
                yield return new CompletionResult(text, name, CompletionResultType.ParameterValue, name);
            }
        }
    }
}
