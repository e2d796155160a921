using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;

namespace SriovPS.Build;

/// <summary>One parameter attribute of a cmdlet property: a parameter's behaviour in one parameter set.</summary>
internal sealed record ParameterSetMetadata(
    string SetName, int? Position, bool Mandatory, bool ValueFromPipeline, bool ValueFromPipelineByPropertyName);

internal sealed record ParameterMetadata(
    string Name, string TypeName, IReadOnlyList<string> Aliases, bool SupportsWildcards, IReadOnlyList<ParameterSetMetadata> Sets);

internal sealed record CmdletMetadata(
    string Verb, string Noun, string ClassName, string? DefaultParameterSetName, bool SupportsShouldProcess,
    IReadOnlyList<string> OutputTypes, IReadOnlyList<ParameterMetadata> Parameters, int ConfirmImpact = 0)
{
    /// <summary>System.Management.Automation.ConfirmImpact's values: None 0, Low 1, Medium 2, High 3.</summary>
    public string ConfirmImpactName => ConfirmImpact switch { 1 => "Low", 2 => "Medium", 3 => "High", _ => "None" };

    public string Name => $"{Verb}-{Noun}";

    /// <summary>
    /// The cmdlets compiled into <paramref name="modulePath"/>, read as metadata: PowerShellStandard is
    /// a reference assembly whose attribute types are stubs outside pwsh, so nothing is instantiated.
    /// </summary>
    public static IReadOnlyList<CmdletMetadata> Read(string modulePath, string powerShellReferencePath)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(modulePath))!;
        var paths = Directory.GetFiles(RuntimeEnvironment.GetRuntimeDirectory(), "*.dll")
            .Concat(Directory.GetFiles(directory, "*.dll"))
            .Append(powerShellReferencePath);
        using var context = new MetadataLoadContext(new PathAssemblyResolver(paths));
        var assembly = context.LoadFromAssemblyPath(Path.GetFullPath(modulePath));
        var cmdlets = new List<CmdletMetadata>();
        foreach (var type in assembly.GetTypes())
        {
            var cmdlet = type.GetCustomAttributesData().FirstOrDefault(a => Is(a, "CmdletAttribute"));
            if (cmdlet is null || type.IsAbstract || !type.IsPublic)
            {
                continue;
            }

            cmdlets.Add(new CmdletMetadata(
                (string)cmdlet.ConstructorArguments[0].Value!,
                (string)cmdlet.ConstructorArguments[1].Value!,
                type.FullName!,
                Named<string>(cmdlet, "DefaultParameterSetName"),
                Named<bool>(cmdlet, "SupportsShouldProcess"),
                type.GetCustomAttributesData().Where(a => Is(a, "OutputTypeAttribute")).SelectMany(OutputTypeNames).ToList(),
                ReadParameters(type),
                Named<int>(cmdlet, "ConfirmImpact")));
        }

        return cmdlets.OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
    }

    private static List<ParameterMetadata> ReadParameters(Type type)
    {
        var parameters = new List<ParameterMetadata>();
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var attributes = property.GetCustomAttributesData();
            var sets = attributes.Where(a => Is(a, "ParameterAttribute")).Select(a => new ParameterSetMetadata(
                Named<string>(a, "ParameterSetName") ?? "__AllParameterSets",
                Named<int?>(a, "Position") is int position && position != int.MinValue ? position : null,
                Named<bool>(a, "Mandatory"),
                Named<bool>(a, "ValueFromPipeline"),
                Named<bool>(a, "ValueFromPipelineByPropertyName"))).ToList();
            if (sets.Count == 0)
            {
                continue;
            }

            var aliases = attributes.Where(a => Is(a, "AliasAttribute"))
                .SelectMany(a => a.ConstructorArguments)
                .SelectMany(StringValues)
                .ToList();
            parameters.Add(new ParameterMetadata(
                property.Name,
                FriendlyTypeName(property.PropertyType),
                aliases,
                attributes.Any(a => Is(a, "SupportsWildcardsAttribute")),
                sets));
        }

        return parameters;
    }

    /// <summary>The type as PlatyPS writes it: <c>String[]</c>, <c>SwitchParameter</c>, <c>SriovPf[]</c>, <c>Int32</c>.</summary>
    internal static string FriendlyTypeName(Type type)
    {
        if (type.IsArray)
        {
            return FriendlyTypeName(type.GetElementType()!) + "[]";
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition().FullName == "System.Nullable`1")
        {
            return FriendlyTypeName(type.GetGenericArguments()[0]);
        }

        return type.Name;
    }

    private static IEnumerable<string> OutputTypeNames(CustomAttributeData attribute) =>
        attribute.ConstructorArguments.SelectMany(argument => argument.Value switch
        {
            Type t => [t.FullName!],
            IReadOnlyCollection<CustomAttributeTypedArgument> items => items.Select(i => i.Value is Type t ? t.FullName! : (string)i.Value!),
            string s => [s],
            _ => Array.Empty<string>(),
        });

    private static IEnumerable<string> StringValues(CustomAttributeTypedArgument argument) => argument.Value switch
    {
        string s => [s],
        IReadOnlyCollection<CustomAttributeTypedArgument> items => items.Select(i => (string)i.Value!),
        _ => [],
    };

    private static bool Is(CustomAttributeData attribute, string name) =>
        attribute.AttributeType.Name == name && attribute.AttributeType.Namespace == "System.Management.Automation";

    private static T? Named<T>(CustomAttributeData attribute, string name)
    {
        foreach (var argument in attribute.NamedArguments)
        {
            if (argument.MemberName == name)
            {
                return (T?)argument.TypedValue.Value;
            }
        }

        return default;
    }
}
