using System.Collections;
using System.Management.Automation.Language;
using SriovPS.Commands;
using SriovPS.Discovery;
using SriovPS.Hosting;
using SriovPS.Values;
using SriovPS.VfCount;
using SriovPS.VfDriver;

namespace SriovPS.Completion;

/// <summary>
/// Completes a VF's -Driver with what a VF is bound to in practice: Default, vfio-pci (and the vendor
/// vfio variants the host has), pci-stub, and the drivers the host's VFs (of the PFs typed so far) use now.
/// </summary>
public sealed class PciDriverCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        string word = wordToComplete.Trim('\'', '"');
        var names = new SortedSet<string>(StringComparer.Ordinal) { VfDriverName.VfioPci, "pci-stub" };
        try
        {
            var host = HostRootChoice.ForCompletion(fakeBoundParameters);
            foreach (var registered in VfDriverName.Registered(host))
            {
                if (VfHolderScan.IsVfioDriver(registered))
                {
                    names.Add(registered);
                }
            }

            names.UnionWith(VfDrivers(host, fakeBoundParameters["PfName"]));
        }
        catch (SriovException)
        {
            // Offer the fixed names rather than an error while the user is typing.
        }

        var offered = new List<string> { VfDriverName.Default };
        offered.AddRange(names);
        foreach (var name in offered)
        {
            if (name.StartsWith(word, StringComparison.OrdinalIgnoreCase))
            {
                yield return new CompletionResult(name, name, CompletionResultType.ParameterValue, name);
            }
        }
    }

    // The drivers bound to VFs now: a VF's own network driver (igbvf, iavf, mlx5_core) is among them.
    private static IEnumerable<string> VfDrivers(HostContext host, object? pfNames)
    {
        var patterns = new List<NamePattern>();
        foreach (var name in pfNames switch { string one => [one], object[] many => many, _ => [] })
        {
            if (name is string text && text.Length > 0)
            {
                try
                {
                    patterns.Add(NamePattern.Parse(text));
                }
                catch (SriovException e) when (e.Category == SriovErrorCategory.InvalidArgument)
                {
                    // A half-typed pattern selects nothing yet.
                }
            }
        }

        var discovery = SriovDiscovery.SysfsOnly(host);
        var drivers = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pf in discovery.GetPfs())
        {
            if (patterns.Count > 0 && (pf.Name is null || !patterns.Exists(p => p.IsMatch(pf.Name))))
            {
                continue;
            }

            foreach (var vf in discovery.GetVfs(pf))
            {
                if (vf.Driver is { } driver)
                {
                    drivers.Add(driver);
                }
            }
        }

        return drivers;
    }
}
