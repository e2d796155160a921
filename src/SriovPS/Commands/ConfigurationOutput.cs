using System.Text.Json;

namespace SriovPS.Commands;

/// <summary>The core's JSON documents as PowerShell objects whose properties keep the document's order.</summary>
internal static class ConfigurationOutput
{
    /// <summary>The type name of a whole document; the module's types file sends it through remoting whole.</summary>
    public const string DocumentTypeName = "SriovPS.SriovConfiguration";

    /// <summary>The document as PowerShell objects, as <c>ConvertFrom-Json</c> gives them: objects, arrays, numbers, strings.</summary>
    public static object? FromJson(string text)
    {
        using var document = JsonDocument.Parse(text);
        var root = ToObject(document.RootElement);
        if (root is PSObject whole)
        {
            whole.TypeNames.Insert(0, DocumentTypeName);
        }

        return root;
    }

    private static object? ToObject(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => ToPSObject(element),
        JsonValueKind.Array => element.EnumerateArray().Select(ToObject).ToArray(),
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetInt32(out int small) ? small : element.TryGetInt64(out long large) ? (object)large : element.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    private static PSObject ToPSObject(JsonElement element)
    {
        var result = new PSObject();
        foreach (var property in element.EnumerateObject())
        {
            result.Properties.Add(new PSNoteProperty(property.Name, ToObject(property.Value)));
        }

        return result;
    }
}
