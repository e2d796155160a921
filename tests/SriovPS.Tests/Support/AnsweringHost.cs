using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;

namespace SriovPS.Tests.Support;

/// <summary>
/// A PowerShell host whose user answers every confirmation prompt the same way (Yes or No), as a
/// person at the console would, and which keeps each prompt it was shown.
/// </summary>
internal sealed class AnsweringHost(bool yes) : PSHost
{
    private readonly AnsweringUserInterface _ui = new(yes);

    /// <summary>Each prompt shown, as its message (ShouldProcess: "Performing the operation … on target …").</summary>
    public IReadOnlyList<string> Prompts => _ui.Prompts;

    public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;

    public override CultureInfo CurrentUICulture => CultureInfo.InvariantCulture;

    public override Guid InstanceId { get; } = Guid.NewGuid();

    public override string Name => "SriovPS.Tests.AnsweringHost";

    public override PSHostUserInterface UI => _ui;

    public override Version Version { get; } = new(1, 0);

    public override void EnterNestedPrompt() => throw new NotSupportedException();

    public override void ExitNestedPrompt() => throw new NotSupportedException();

    public override void NotifyBeginApplication()
    {
    }

    public override void NotifyEndApplication()
    {
    }

    public override void SetShouldExit(int exitCode)
    {
    }

    private sealed class AnsweringUserInterface(bool yes) : PSHostUserInterface
    {
        public List<string> Prompts { get; } = [];

        public override PSHostRawUserInterface? RawUI => null;

        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice)
        {
            Prompts.Add(message);
            string wanted = yes ? "&Yes" : "&No";
            int index = choices.ToList().FindIndex(c => c.Label == wanted);
            return index >= 0 ? index : throw new InvalidOperationException($"The prompt '{message}' offers no {wanted}.");
        }

        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions) =>
            throw new NotSupportedException($"Unexpected prompt: {message}");

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) =>
            throw new NotSupportedException();

        public override PSCredential PromptForCredential(
            string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) =>
            throw new NotSupportedException();

        public override string ReadLine() => throw new NotSupportedException();

        public override SecureString ReadLineAsSecureString() => throw new NotSupportedException();

        public override void Write(string value)
        {
        }

        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value)
        {
        }

        public override void WriteDebugLine(string message)
        {
        }

        public override void WriteErrorLine(string value)
        {
        }

        public override void WriteLine(string value)
        {
        }

        public override void WriteProgress(long sourceId, ProgressRecord record)
        {
        }

        public override void WriteVerboseLine(string message)
        {
        }

        public override void WriteWarningLine(string message)
        {
        }
    }
}
