namespace SriovPS.Boot;

/// <summary>A stretch of a sourced file whose lines the shell does not simply run in order: what it is, and where.</summary>
internal sealed record ShellBlock(int Start, int End, string Description);

/// <summary>
/// The compound commands (<c>if</c>, <c>while</c>, <c>until</c>, <c>for</c>, <c>case</c>, <c>{ }</c>,
/// <c>( )</c>), function bodies and here-documents of a file the shell sources. An assignment inside one
/// is run only when a condition holds, when the function is called, in a subshell, or never (a
/// here-document is data), so an editor that changes it cannot say what the shell will make of it.
/// </summary>
internal static class ShellStructure
{
    private static readonly HashSet<string> Openers = new(StringComparer.Ordinal) { "if", "while", "until", "for", "select", "case", "{" };

    /// <summary>The outermost blocks of <paramref name="text"/>, in file order.</summary>
    /// <exception cref="FormatException">A block is never closed or closed without being opened, or a here-document never ends.</exception>
    public static List<ShellBlock> Blocks(string text)
    {
        var blocks = new List<ShellBlock>();
        var open = new Stack<(string Word, int Start, string Description)>();
        var hereDocuments = new List<(string Delimiter, bool StripTabs)>();
        string? function = null;
        bool commandStart = true;
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (c is ' ' or '\t')
            {
                i++;
            }
            else if (c == '\n')
            {
                i++;
                commandStart = true;
                if (hereDocuments.Count > 0)
                {
                    int start = i;
                    foreach (var (delimiter, stripTabs) in hereDocuments)
                    {
                        i = SkipHereDocument(text, i, delimiter, stripTabs);
                    }

                    hereDocuments.Clear();
                    if (open.Count == 0)
                    {
                        blocks.Add(new ShellBlock(start, i, $"inside a here-document (from line {ShellAssignments.LineOf(text, start)}), which is data, not commands"));
                    }
                }
            }
            else if (c == '#' && (i == 0 || text[i - 1] is ' ' or '\t' or '\n' or ';' or '&' or '|' or '(' or ')'))
            {
                while (i < text.Length && text[i] != '\n')
                {
                    i++;
                }
            }
            else if (c is ';' or '&' or '|')
            {
                i++;
                commandStart = true;
            }
            else if (c is '(' or ')' && open.TryPeek(out var inCase) && inCase.Word == "case")
            {
                // A pattern's parentheses: "a)" or "(a)".
                i++;
                commandStart = c == ')';
            }
            else if (c == '(')
            {
                Open("(", i, "inside a ( … ) subshell, whose assignments the file's reader never sees");
                i++;
                commandStart = true;
            }
            else if (c == ')')
            {
                Close("(", i);
                i++;
                commandStart = false;
            }
            else if (c == '<' && text.AsSpan(i).StartsWith("<<<"))
            {
                // A here-string: its word is on this line.
                i += 3;
            }
            else if (c == '<' && i + 1 < text.Length && text[i + 1] == '<')
            {
                i += 2;
                bool stripTabs = i < text.Length && text[i] == '-';
                i = SkipBlanks(text, stripTabs ? i + 1 : i);
                int end = WordEnd(text, i);
                hereDocuments.Add((Unquote(text[i..end]), stripTabs));
                i = end;
            }
            else if (c is '<' or '>')
            {
                i++;
            }
            else
            {
                int end = WordEnd(text, i);
                string word = text[i..end];
                if (open.TryPeek(out var top) && top.Word == "case")
                {
                    // Patterns and their commands: only the end of the case (or a case inside it) counts.
                    if (word == "case" && commandStart)
                    {
                        open.Push(("case", i, "inside 'case'"));
                    }
                    else if (word == "esac")
                    {
                        Close("case", i);
                    }

                    commandStart = word is "in" || text.AsSpan(end).TrimStart(" \t").StartsWith(")");
                    i = end;
                    continue;
                }

                i = end;
                if (!commandStart)
                {
                    continue;
                }

                if (Openers.Contains(word))
                {
                    int at = end - word.Length;
                    string description = function is not null
                        ? $"inside the function {function}, which runs only when it is called"
                        : word == "{" ? "inside a { … } group" : $"inside '{word}'";
                    Open(word, at, description);
                    function = null;
                    commandStart = word is "if" or "while" or "until" or "{";
                }
                else if (word is "fi" or "done" or "esac" or "}")
                {
                    Close(word switch { "fi" => "if", "done" => "do", "esac" => "case", _ => "{" }, i - word.Length);
                    commandStart = false;
                }
                else if (word is "then" or "else" or "elif" or "do" or "!")
                {
                    commandStart = true;
                }
                else if (word == "function")
                {
                    i = SkipBlanks(text, i);
                    int nameEnd = WordEnd(text, i);
                    function = text[i..nameEnd];
                    i = SkipEmptyParentheses(text, nameEnd);
                    commandStart = true;
                }
                else if (SkipEmptyParentheses(text, i) is int after && after > i)
                {
                    function = word;
                    i = after;
                    commandStart = true;
                }
                else
                {
                    commandStart = false;
                }
            }
        }

        if (hereDocuments.Count > 0)
        {
            throw new FormatException($"the here-document ending at {hereDocuments[0].Delimiter} has no body");
        }

        if (open.Count > 0)
        {
            var (word, start, _) = open.ToArray()[^1];
            throw new FormatException($"'{word}' on line {ShellAssignments.LineOf(text, start)} is never closed");
        }

        return blocks;

        void Open(string word, int start, string description)
        {
            // A loop ends with 'done': while, until, for and select are closed alike.
            string key = word is "while" or "until" or "for" or "select" ? "do" : word;
            open.Push((key, start, description + $" (from line {ShellAssignments.LineOf(text, start)})"));
        }

        void Close(string word, int at)
        {
            if (!open.TryPop(out var top) || top.Word != word)
            {
                throw new FormatException($"line {ShellAssignments.LineOf(text, at)} closes a block that is not open");
            }

            if (open.Count == 0)
            {
                blocks.Add(new ShellBlock(top.Start, at + 1, top.Description));
            }
        }
    }

    /// <summary>The end of the word at <paramref name="i"/>: quotes, escapes and <c>$( )</c> held within it.</summary>
    private static int WordEnd(string text, int i)
    {
        int start = i;
        while (i < text.Length)
        {
            char c = text[i];
            if (c is ' ' or '\t' or '\n' or ';' or '&' or '|' or '<' or '>' or ')' || (c == '(' && i > start && text[i - 1] != '$'))
            {
                break;
            }

            if (c == '(' && i == start)
            {
                break;
            }

            i = c switch
            {
                '\\' => i + 2,
                '\'' => Closing(text, i, '\''),
                '"' or '`' => Closing(text, i, c),
                '$' when i + 1 < text.Length && text[i + 1] is '(' or '{' => Balanced(text, i + 1),
                _ => i + 1,
            };
        }

        return Math.Min(i, text.Length);
    }

    /// <summary>Just past the quote that closes the one at <paramref name="open"/> (backslashes escape in '"' and '`').</summary>
    private static int Closing(string text, int open, char quote)
    {
        int i = open + 1;
        while (i < text.Length && text[i] != quote)
        {
            i += quote != '\'' && text[i] == '\\' ? 2 : 1;
        }

        if (i >= text.Length)
        {
            throw new FormatException($"the quote ({quote}) opened on line {ShellAssignments.LineOf(text, open)} is never closed");
        }

        return i + 1;
    }

    /// <summary>Just past the bracket that closes the one at <paramref name="open"/>, skipping quoted text.</summary>
    private static int Balanced(string text, int open)
    {
        char opening = text[open];
        char closing = opening == '(' ? ')' : '}';
        int depth = 0;
        int i = open;
        while (i < text.Length)
        {
            char c = text[i];
            if (c == opening)
            {
                depth++;
            }
            else if (c == closing && --depth == 0)
            {
                return i + 1;
            }

            i = c switch
            {
                '\\' => i + 2,
                '\'' or '"' or '`' => Closing(text, i, c),
                _ => i + 1,
            };
        }

        throw new FormatException($"the '{opening}' opened on line {ShellAssignments.LineOf(text, open)} is never closed");
    }

    private static int SkipHereDocument(string text, int i, string delimiter, bool stripTabs)
    {
        while (i < text.Length)
        {
            int newline = text.IndexOf('\n', i);
            int end = newline < 0 ? text.Length : newline;
            var line = text.AsSpan(i, end - i);
            if (stripTabs)
            {
                line = line.TrimStart('\t');
            }

            i = newline < 0 ? text.Length : newline + 1;
            if (line.SequenceEqual(delimiter))
            {
                return i;
            }
        }

        throw new FormatException($"the here-document ending at {delimiter} never ends");
    }

    private static int SkipEmptyParentheses(string text, int i)
    {
        int j = SkipBlanks(text, i);
        if (j < text.Length && text[j] == '(')
        {
            int k = SkipBlanks(text, j + 1);
            if (k < text.Length && text[k] == ')')
            {
                return k + 1;
            }
        }

        return i;
    }

    private static string Unquote(string word) => word.Replace("'", "", StringComparison.Ordinal).Replace("\"", "", StringComparison.Ordinal).Replace("\\", "", StringComparison.Ordinal);

    private static int SkipBlanks(string text, int i)
    {
        while (i < text.Length && text[i] is ' ' or '\t')
        {
            i++;
        }

        return i;
    }
}
