using System.Text.Json;

namespace SriovPS.Configuration;

/// <summary>
/// Reads one JSON object of a configuration document: its keys (any case, as PowerShell hashtables
/// have them) checked against the ones it may have, so a misspelt key is an error naming its path and
/// the key meant, never a setting silently left out; and typed values, each wrong one an error.
/// </summary>
internal sealed class JsonFields
{
    private readonly Dictionary<string, JsonElement> _values = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<SriovException> _problems;

    private JsonFields(string path, List<SriovException> problems)
    {
        Path = path;
        _problems = problems;
    }

    public string Path { get; }

    /// <summary>The fields of <paramref name="element"/>; null (an error said) when it is not an object.</summary>
    public static JsonFields? Of(JsonElement element, string path, IReadOnlyList<string> keys, List<SriovException> problems)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            problems.Add(Problem(path, $"is {Kind(element)}; an object ({{ … }}) was expected."));
            return null;
        }

        var fields = new JsonFields(path, problems);
        foreach (var property in element.EnumerateObject())
        {
            string? key = keys.FirstOrDefault(k => string.Equals(k, property.Name, StringComparison.OrdinalIgnoreCase));
            if (property.Name == "$schema" && path.Length == 0)
            {
                continue;
            }

            if (key is null)
            {
                string? near = Nearest(property.Name, keys);
                problems.Add(Problem(
                    Join(path, property.Name),
                    $"is not a key of {(path.Length == 0 ? "the document" : path)}{(near is null ? "." : $": did you mean '{near}'?")} It may have: {string.Join(", ", keys)}."));
            }
            else if (!fields._values.TryAdd(key, property.Value))
            {
                problems.Add(Problem(Join(path, property.Name), $"is given twice (keys are read in any case)."));
            }
        }

        return fields;
    }

    /// <summary>An error about the value at <paramref name="path"/>, which its message starts with.</summary>
    public static SriovException Problem(string path, string message, string? remedy = null) => new(
        ErrorCatalog.InvalidConfiguration,
        $"{(path.Length == 0 ? "The document" : path)}: {message}",
        path.Length == 0 ? "$" : path,
        remedy ?? "Correct the document: nothing was changed. The module's SriovPS.Configuration.schema.json describes every key.");

    public static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    public bool Has(string key) => _values.ContainsKey(key);

    public string At(string key) => Join(Path, key);

    public void Fail(string key, string message) => _problems.Add(Problem(At(key), message));

    /// <summary>The value of <paramref name="key"/>; null when it is absent, or null (an error: a null is not "leave it alone").</summary>
    public JsonElement? Raw(string key)
    {
        if (!_values.TryGetValue(key, out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Null)
        {
            Fail(key, "is null: leave the key out to leave the setting alone, or give it a value.");
            return null;
        }

        return value;
    }

    public string? String(string key)
    {
        if (Raw(key) is not { } value)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String || value.GetString() is not { Length: > 0 } text)
        {
            Fail(key, $"is {Kind(value)}; a non-empty string was expected.");
            return null;
        }

        return text;
    }

    public bool? Bool(string key)
    {
        if (Raw(key) is not { } value)
        {
            return null;
        }

        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetBoolean();
        }

        Fail(key, $"is {Kind(value)}; true or false was expected.");
        return null;
    }

    public int? Int(string key, int min, int max, string what)
    {
        if (Raw(key) is not { } value)
        {
            return null;
        }

        // 7.0 is the whole number 7, as JSON Schema counts it (and as some tools write numbers).
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out double real) || real != Math.Floor(real))
        {
            Fail(key, $"is {Kind(value)}; a whole number was expected.");
            return null;
        }

        if (real < min || real > max)
        {
            string shown = Math.Abs(real) < 1e15 ? ((long)real).ToString(CultureInfo.InvariantCulture) : value.GetRawText();
            Fail(key, string.Create(CultureInfo.InvariantCulture, $"{shown} is outside the {what} range {min}–{max}."));
            return null;
        }

        return (int)real;
    }

    /// <summary>One of <paramref name="words"/> in any case, as the index of the word.</summary>
    public int? Word(string key, IReadOnlyList<string> words)
    {
        if (String(key) is not { } text)
        {
            return null;
        }

        for (int i = 0; i < words.Count; i++)
        {
            if (string.Equals(words[i], text, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        Fail(key, $"'{text}' is not one of {string.Join(", ", words)}.");
        return null;
    }

    /// <summary>The elements of an array, each with its path; empty (an error said) when it is not one.</summary>
    public IEnumerable<(JsonElement Element, string Path)> Array(string key)
    {
        if (Raw(key) is not { } value)
        {
            yield break;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            Fail(key, $"is {Kind(value)}; an array ([ … ]) was expected.");
            yield break;
        }

        int i = 0;
        foreach (var element in value.EnumerateArray())
        {
            yield return (element, string.Create(CultureInfo.InvariantCulture, $"{At(key)}[{i++}]"));
        }
    }

    public static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => $"the string \"{value.GetString()}\"",
        JsonValueKind.Number => $"the number {value.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => $"{value.GetRawText()}",
        _ => "null",
    };

    /// <summary>The key within two edits of <paramref name="given"/>, for "did you mean".</summary>
    private static string? Nearest(string given, IReadOnlyList<string> keys)
    {
        string? best = null;
        int bestDistance = 3;
        foreach (string key in keys)
        {
            int distance = Distance(given.ToLowerInvariant(), key.ToLowerInvariant());
            if (distance < bestDistance)
            {
                (best, bestDistance) = (key, distance);
            }
        }

        return best;
    }

    private static int Distance(string a, string b)
    {
        var row = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            row[j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }

        return row[b.Length];
    }
}
