using System.Collections;
using System.Management.Automation.Language;

namespace SriovPS.Completion;

/// <summary>Offers <c>Auto</c> for -MacAddress: any other value is a MAC the user types.</summary>
public sealed class VfMacAddressCompleter : IArgumentCompleter
{
    private const string Auto = "Auto";

    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        string word = wordToComplete.Trim('\'', '"');
        if (Auto.StartsWith(word, System.StringComparison.OrdinalIgnoreCase))
        {
            yield return new CompletionResult(Auto, Auto, CompletionResultType.ParameterValue, "Each VF's MAC derived from its PF's permanent MAC and its index.");
        }
    }
}
