using System;
using SriovPS.Errors;
using SriovPS.Hosting;

namespace SriovPS.Tests.Support;

/// <summary>A report that hands each note, warning and failure to a test's own callback (ignored without one).</summary>
internal sealed class CallbackReport(Action<string>? note = null, Action<string>? warn = null, Action<SriovException>? fail = null) : IHostReport
{
    /// <summary>A report under which any failure ends the test.</summary>
    public static CallbackReport Throwing { get; } = new(fail: e => throw e);

    public void Note(string text) => note?.Invoke(text);

    public void Warn(string warning) => warn?.Invoke(warning);

    public void Fail(SriovException failure) => fail?.Invoke(failure);
}
