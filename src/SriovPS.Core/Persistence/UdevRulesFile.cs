using SriovPS.Plans;

namespace SriovPS.Persistence;

/// <summary>
/// The module's udev rules file (<see cref="UdevVfRules.HostPath"/>) as plan steps, for the VF count
/// lines and the VF driver lines alike: the change is worked out from the text the file has when it is
/// written (another session may have added its own PF's line meanwhile), the file is written atomically
/// with a backup or removed when nothing of the module's is left, and undone by putting the old text back.
/// </summary>
internal sealed class UdevRulesFile(HostSession session)
{
    private readonly ConfigFile _file = new(session.Files, UdevVfRules.HostPath);
    private bool _warnedNoUdev;

    public static string HostPath => UdevVfRules.HostPath;

    /// <summary>The file's text now; <c>null</c> when it does not exist.</summary>
    /// <exception cref="Errors.SriovException">It cannot be read.</exception>
    public string? ReadText() => _file.ReadText();

    /// <summary>Warns once per command that without udev nothing reads the file at boot.</summary>
    /// <param name="consequence">What that means for this command's lines, and what to do.</param>
    public void WarnWithoutUdev(string consequence)
    {
        if (_warnedNoUdev || UdevVfRules.IsUdevInstalled(session.Files))
        {
            return;
        }

        _warnedNoUdev = true;
        session.Report.Warn($"udev is not installed on this host, so nothing reads {HostPath} at boot: {consequence}");
    }

    /// <summary>
    /// A step that rewrites the file as <paramref name="edit"/> makes it from the text it has then
    /// (<c>null</c> from the edit removes the file; the same text writes nothing).
    /// </summary>
    /// <param name="prepareFirst">
    /// Whether the new version is written beside the old before the plan's other steps (so a file that
    /// cannot be written leaves the host unchanged); otherwise only its writability is checked then, and
    /// the edit sees what the earlier steps made.
    /// </param>
    /// <param name="partialFailure">The warning to give when the file fails after the steps it follows were made.</param>
    /// <param name="actionFromAnswers">The action as the answers to the steps before it make it (see <see cref="PlanStep.ActionFromAnswers"/>).</param>
    public PlanStep Step(
        string action,
        Func<string?, IHostReport, string?> edit,
        bool prepareFirst,
        IReadOnlyList<PlanStep> after,
        string? liveHostOnly,
        string liveHostLabel,
        string? partialFailure = null,
        Func<PlanResult, string?>? actionFromAnswers = null)
    {
        PreparedRules? made = null;
        return new PlanStep(HostPath, action, context =>
        {
            PreparedRules? own = null;
            try
            {
                var change = context.Prepared as PreparedRules ?? (own = Prepare(edit, context.Report));
                change.Commit(_file, context.Report);
                made = change;
                return null;
            }
            catch (Errors.SriovException) when (partialFailure is not null)
            {
                context.Report.Warn(partialFailure);
                throw;
            }
            finally
            {
                own?.Dispose();
            }
        })
        {
            After = after,
            ActionFromAnswers = actionFromAnswers,
            LiveHostOnly = liveHostOnly,
            LiveHostLabel = liveHostLabel,
            Prepare = prepareFirst ? () => Prepare(edit, session.Report) : CheckWritable,
            Undo = _ =>
            {
                if (made is { Changes: true })
                {
                    _file.PutBack(made.OldText);
                }
            },
        };
    }

    private IDisposable? CheckWritable()
    {
        _file.CheckWritable();
        return null;
    }

    private PreparedRules Prepare(Func<string?, IHostReport, string?> edit, IHostReport report)
    {
        string? text = _file.ReadText();
        string? updated = edit(text, report);
        if (updated == text)
        {
            return new PreparedRules(text, text, null);
        }

        if (updated is null)
        {
            _file.CheckWritable();
            return new PreparedRules(text, null, null);
        }

        return new PreparedRules(text, updated, _file.Prepare(updated));
    }

    /// <summary>The file's next version, written beside it and not yet in place.</summary>
    private sealed class PreparedRules(string? oldText, string? newText, PreparedConfigFile? prepared) : IDisposable
    {
        public string? OldText => oldText;

        public bool Changes => newText != oldText;

        public void Commit(ConfigFile file, IHostReport report)
        {
            if (newText == oldText)
            {
                return;
            }

            if (prepared is null)
            {
                file.Remove();
                report.Note($"Removed {file.HostPath}, which had no other line (kept as {file.BackupHostPath}).");
                return;
            }

            prepared.Commit();
            report.Note($"Wrote {file.HostPath} (a previous version is kept as {file.BackupHostPath}).");
        }

        public void Dispose() => prepared?.Dispose();
    }
}
