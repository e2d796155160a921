using System.Collections;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.Json;

namespace SriovPS.Commands;

/// <summary>
/// Configuration documents from PowerShell: a file, JSON text, or the objects <c>ConvertFrom-Json</c>,
/// <c>Import-PowerShellDataFile</c> and <c>Get-SriovConfiguration</c> give, written as JSON for the core to
/// read, so every form is checked by one reader, with the same paths.
/// </summary>
internal static class ConfigurationInput
{
    /// <summary>The JSON of a document given as <paramref name="input"/>.</summary>
    /// <exception cref="SriovException">A file that cannot be read, or an object that is not a document.</exception>
    public static string ToJson(object? input)
    {
        object? value = input is PSObject wrapped ? wrapped.BaseObject : input;
        switch (value)
        {
            case string text:
                return text;
            case FileInfo file:
                return ReadFile(file.FullName, file.FullName);
            case IDictionary or PSCustomObject:
            case not null when IsPropertyBag(input):
                using (var buffer = new MemoryStream())
                {
                    using (var json = new Utf8JsonWriter(buffer))
                    {
                        Write(json, input, string.Empty, 0);
                    }

                    return Encoding.UTF8.GetString(buffer.ToArray());
                }

            default:
                throw new SriovException(
                    ErrorCatalog.InvalidConfiguration,
                    $"A configuration document is JSON text, a hashtable or an object, not {value?.GetType().Name ?? "null"}.",
                    value,
                    "Give -Path FILE.json, or pipe the output of Get-SriovConfiguration, ConvertFrom-Json or Import-PowerShellDataFile.");
        }
    }

    /// <summary>The text of the document at the PowerShell path <paramref name="path"/>.</summary>
    public static string ReadPath(string path, PSCmdlet cmdlet)
    {
        string full;
        try
        {
            full = cmdlet.GetUnresolvedProviderPathFromPSPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or ProviderNotFoundException or System.Management.Automation.DriveNotFoundException)
        {
            throw NotReadable(path, e.Message);
        }

        return ReadFile(full, path);
    }

    private static string ReadFile(string full, string given)
    {
        try
        {
            return File.ReadAllText(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw NotReadable(given, e.Message);
        }
    }

    private static SriovException NotReadable(string path, string why) => new(
        ErrorCatalog.ConfigurationUnreadable,
        $"The configuration document '{path}' cannot be read: {why}",
        path,
        "Give the path of a JSON file (Get-SriovConfiguration -AsJson | Set-Content host.json writes one).");

    // The depth guards against objects that refer to themselves; a document is a few levels deep.
    private static void Write(Utf8JsonWriter json, object? input, string path, int depth)
    {
        if (depth > 16)
        {
            throw new SriovException(ErrorCatalog.InvalidConfiguration, $"{path}: the document nests deeper than any configuration does.", path);
        }

        object? value = input is PSObject wrapped ? wrapped.BaseObject : input;
        switch (value)
        {
            case null:
                json.WriteNullValue();
                break;
            case string text:
                json.WriteStringValue(text);
                break;
            case bool flag:
                json.WriteBooleanValue(flag);
                break;
            case SwitchParameter flag:
                json.WriteBooleanValue(flag.IsPresent);
                break;
            case int or long or short or byte or sbyte or uint or ushort:
                json.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case ulong large:
                json.WriteNumberValue(large);
                break;
            case double or float or decimal:
                // The reader judges the number (range, whole); only what JSON cannot hold is refused here.
                double real = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                if (!double.IsFinite(real))
                {
                    throw new SriovException(ErrorCatalog.InvalidConfiguration, $"{path}: {real} is not a number a document can hold.", path);
                }

                json.WriteNumberValue(real);
                break;
            case Enum:
                json.WriteStringValue(value.ToString());
                break;
            case IDictionary dictionary:
                json.WriteStartObject();
                foreach (DictionaryEntry entry in dictionary)
                {
                    string key = entry.Key?.ToString() ?? string.Empty;
                    json.WritePropertyName(key);
                    Write(json, entry.Value, Join(path, key), depth + 1);
                }

                json.WriteEndObject();
                break;
            case PSCustomObject:
            case not null when IsPropertyBag(input):
                json.WriteStartObject();
                foreach (var property in ((PSObject)input!).Properties.Where(p => !RemotingProperties.Contains(p.Name)))
                {
                    json.WritePropertyName(property.Name);
                    Write(json, property.Value, Join(path, property.Name), depth + 1);
                }

                json.WriteEndObject();
                break;
            case IEnumerable items:
                json.WriteStartArray();
                int i = 0;
                foreach (object? item in items)
                {
                    Write(json, item, $"{path}[{i++}]", depth + 1);
                }

                json.WriteEndArray();
                break;
            default:
                // A value the document has no use for (a date, a PF object): its text, which the reader then judges.
                json.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    /// <summary>What remoting adds to every object it returns: not part of the document.</summary>
    private static readonly HashSet<string> RemotingProperties = new(StringComparer.OrdinalIgnoreCase)
    {
        "PSComputerName", "RunspaceId", "PSShowComputerName", "PSSourceJobInstanceId",
    };

    /// <summary>An object that arrived through remoting or a job: its note properties are the document's keys.</summary>
    private static bool IsPropertyBag(object? input) =>
        input is PSObject bag && bag.TypeNames.Any(t => t.StartsWith("Deserialized.System.Management.Automation.PSCustomObject", StringComparison.Ordinal));
}
