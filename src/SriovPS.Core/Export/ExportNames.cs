using System.Collections;
using System.Text;
using System.Text.RegularExpressions;

namespace SriovPS.Export;

/// <summary>
/// The names an export writes, and the rules each must follow to be accepted by every released
/// version of the component that reads it; checked before anything is written.
/// </summary>
internal static partial class ExportNames
{
    /// <summary>A resource name every device plugin and operator version accepts: letters, digits and '_' inside, 63 at most.</summary>
    public const string ResourceNameRule = "^[A-Za-z0-9]([A-Za-z0-9_]{0,61}[A-Za-z0-9])?$";

    /// <summary>The device plugin's default prefix, which it uses when its configuration names none.</summary>
    public const string DefaultResourcePrefix = "intel.com";

    /// <summary>Where the sriov-network-operator is installed by its own manifests.</summary>
    public const string DefaultOperatorNamespace = "sriov-network-operator";

    [GeneratedRegex(ResourceNameRule, RegexOptions.CultureInvariant)]
    private static partial Regex ResourceName();

    // DNS-1123 subdomain (Kubernetes object names, resource domains) and label (namespaces).
    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", RegexOptions.CultureInvariant)]
    private static partial Regex Subdomain();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex Label();

    // A label key's name part and a label value (Kubernetes: 63 at most, alphanumeric at both ends).
    [GeneratedRegex("^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex LabelName();

    /// <exception cref="SriovException">The name breaks the rule (InvalidArgument), which the message quotes.</exception>
    public static void CheckResourceName(string name, string source)
    {
        if (!ResourceName().IsMatch(name))
        {
            throw new SriovException(
                ErrorCatalog.InvalidResourceName,
                $"The resource name '{name}' ({source}) does not match {ResourceNameRule}: 1 to 63 letters, digits and '_', beginning and ending with a letter or digit, as every device plugin and operator version accepts. Nothing was written.",
                name,
                "Give -ResourceName letters, digits and '_' only, like intel_sriov_netdevice.");
        }
    }

    /// <exception cref="SriovException">The prefix is not a DNS subdomain, or is one Kubernetes keeps for itself.</exception>
    public static void CheckResourcePrefix(string prefix)
    {
        string? problem = prefix.Length > 253 || !Subdomain().IsMatch(prefix)
            ? "a resource prefix is a DNS subdomain: lower-case letters, digits, '-' and '.', beginning and ending with a letter or digit"
            : IsKubernetesDomain(prefix) ? "Kubernetes keeps kubernetes.io and k8s.io for its own resources"
            : null;
        if (problem is not null)
        {
            throw Invalid("-ResourcePrefix", prefix, problem, "Use your organisation's domain, or the device plugin's default, intel.com.");
        }
    }

    /// <exception cref="SriovException">The namespace is not a DNS label.</exception>
    public static void CheckNamespace(string parameter, string value)
    {
        if (!Label().IsMatch(value))
        {
            throw Invalid(parameter, value, "a Kubernetes namespace is 1 to 63 lower-case letters, digits and '-', beginning and ending with a letter or digit", "Give a namespace such as default.");
        }
    }

    /// <exception cref="SriovException">The selector is empty, or a key or value is not a Kubernetes label key or value.</exception>
    public static void CheckNodeSelector(IReadOnlyDictionary<string, string> selector)
    {
        if (selector.Count == 0)
        {
            // The operator applies a policy to every node whose labels hold all the selector's: with none, every node.
            throw Invalid("-NodeSelector", "@{}", "an empty node selector selects every node of the cluster", "Name the nodes: -NodeSelector @{ 'kubernetes.io/hostname' = 'node1' }.");
        }

        foreach (var (key, value) in selector)
        {
            int slash = key.LastIndexOf('/');
            string prefix = slash < 0 ? "" : key[..slash];
            string name = key[(slash + 1)..];
            bool keyValid = LabelName().IsMatch(name) && (slash < 0 || (prefix.Length <= 253 && Subdomain().IsMatch(prefix)));
            if (!keyValid || (value.Length > 0 && !LabelName().IsMatch(value)))
            {
                throw Invalid(
                    "-NodeSelector",
                    $"{key}={value}",
                    "a node label key is an optional DNS-subdomain prefix and '/', then a name, and a label value is empty or 1 to 63 letters, digits, '-', '_' and '.', beginning and ending with a letter or digit",
                    "Use a label the nodes have, such as @{ 'kubernetes.io/hostname' = 'node1' }.");
            }
        }
    }

    /// <summary>Node labels from a hashtable, as text; a value of <c>$true</c> is <c>true</c> to Kubernetes, not .NET's <c>True</c>.</summary>
    /// <exception cref="SriovException">Two keys read as the same label.</exception>
    public static Dictionary<string, string> NodeLabels(IDictionary labels)
    {
        static string Text(object? value) =>
            value is bool flag ? (flag ? "true" : "false") : Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";

        var text = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in labels)
        {
            if (!text.TryAdd(Text(entry.Key), Text(entry.Value)))
            {
                throw Invalid("-NodeSelector", Text(entry.Key), "it names the same label twice", "Give each label once.");
            }
        }

        return text;
    }

    /// <summary>The part of a resource name that stands for a PF: its interface name, or its PCI address, with '_' for what a name may not hold.</summary>
    public static string PfPart(SriovPf pf)
    {
        var text = new StringBuilder();
        foreach (char c in pf.Name ?? pf.PciAddress)
        {
            text.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        }

        return text.ToString().Trim('_');
    }

    /// <summary>A Kubernetes object name for a resource: <c>sriov_eno49_vfio</c> becomes <c>sriov-eno49-vfio</c>.</summary>
    public static string ObjectName(string resourceName) => resourceName.ToLowerInvariant().Replace('_', '-');

    private static bool IsKubernetesDomain(string prefix) =>
        prefix is "kubernetes.io" or "k8s.io"
        || prefix.EndsWith(".kubernetes.io", StringComparison.Ordinal) || prefix.EndsWith(".k8s.io", StringComparison.Ordinal);

    internal static SriovException Invalid(string parameter, string value, string rule, string remedy) => new(
        ErrorCatalog.InvalidExportArgument,
        $"{parameter} '{value}' is not valid: {rule}. Nothing was written.",
        value,
        remedy);
}
