using System.Collections;
using System.Management.Automation.Language;
using SriovPS.Libvirt;
using SriovPS.Values;

namespace SriovPS.Completion;

/// <summary>Completes names of libvirt objects from the libvirt the command would use (its -Uri, else the default).</summary>
public abstract class LibvirtNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        string word = wordToComplete.Trim('\'', '"');
        string uri = fakeBoundParameters["Uri"] as string ?? LibvirtUri.Default();
        List<string> names;
        NamePattern prefix;
        try
        {
            prefix = NamePattern.Parse(NamePattern.HasWildcards(word) ? word : word + "*");
            names = Names(LibvirtHost.Connect(uri));
        }
        catch (SriovException)
        {
            // Completion offers nothing rather than an error while the user is typing.
            yield break;
        }

        names.Sort(System.StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (prefix.IsMatch(name))
            {
                string text = name.IndexOfAny([' ', '\'', '$', '`', '(', ')', ';', '&', '{', '}']) >= 0
                    ? "'" + name.Replace("'", "''", System.StringComparison.Ordinal) + "'"
                    : name;
                yield return new CompletionResult(text, name, CompletionResultType.ParameterValue, name);
            }
        }
    }

    /// <summary>The names to offer.</summary>
    /// <exception cref="SriovException">libvirt could not list them.</exception>
    private protected abstract List<string> Names(LibvirtHost libvirt);
}
