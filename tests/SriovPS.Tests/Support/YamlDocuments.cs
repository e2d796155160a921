using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SriovPS.Tests.Support;

/// <summary>
/// Reads YAML with YamlDotNet (a YAML 1.2 parser the module does not use) into JSON nodes, resolving
/// plain scalars by YAML 1.2's core schema: integers and true/false as such, everything quoted as text.
/// So a test sees what Kubernetes would: <c>numVfs: 7</c> is a number, <c>"7"</c> is not.
/// </summary>
internal static partial class YamlDocuments
{
    public static List<JsonNode?> Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents.Select(d => ToJson(d.RootNode)).ToList();
    }

    public static JsonNode Single(string yaml) => Parse(yaml).Single()!;

    [GeneratedRegex("^[-+]?[0-9]+$")]
    private static partial Regex Integer();

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(p =>
            KeyValuePair.Create(((YamlScalarNode)p.Key).Value!, ToJson(p.Value)))),
        YamlSequenceNode list => new JsonArray(list.Children.Select(ToJson).ToArray()),
        YamlScalarNode { Style: ScalarStyle.Plain } scalar => scalar.Value switch
        {
            "true" => JsonValue.Create(true),
            "false" => JsonValue.Create(false),
            "null" or "~" or "" => null,
            { } text when Integer().IsMatch(text) => JsonNode.Parse(text.TrimStart('+')),
            var text => JsonValue.Create(text),
        },
        YamlScalarNode scalar => JsonValue.Create(scalar.Value),
        _ => null,
    };
}
