namespace SriovPS.Export;

/// <summary>VF indexes written as ranges: <c>0-3,6</c> for the device plugin, one <c>first-last</c> each for the operator.</summary>
internal static class VfIndexRanges
{
    /// <summary>The contiguous runs of <paramref name="indexes"/>, in ascending order.</summary>
    public static List<(int First, int Last)> Runs(IEnumerable<int> indexes)
    {
        var runs = new List<(int First, int Last)>();
        foreach (int index in indexes.Distinct().Order())
        {
            if (runs.Count > 0 && runs[^1].Last == index - 1)
            {
                runs[^1] = (runs[^1].First, index);
            }
            else
            {
                runs.Add((index, index));
            }
        }

        return runs;
    }

    /// <summary>The device plugin's list syntax: single indexes and ranges joined by commas, <c>1-2,4-6</c>.</summary>
    public static string List(IEnumerable<int> indexes) =>
        string.Join(',', Runs(indexes).Select(r => r.First == r.Last ? Number(r.First) : $"{Number(r.First)}-{Number(r.Last)}"));

    /// <summary>The operator's range syntax: always <c>first-last</c>, a single VF as <c>3-3</c>.</summary>
    public static string Range((int First, int Last) run) => $"{Number(run.First)}-{Number(run.Last)}";

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
