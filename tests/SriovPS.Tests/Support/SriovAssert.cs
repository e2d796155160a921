using System;
using SriovPS.Errors;
using Xunit;

namespace SriovPS.Tests.Support;

/// <summary>Assertions on the module's one exception type, by the category its error id carries.</summary>
public static class SriovAssert
{
    public static SriovException Throws(SriovErrorCategory category, Action action) =>
        IsError(category, Assert.Throws<SriovException>(action));

    public static SriovException Throws(SriovErrorCategory category, Func<object?> action) =>
        IsError(category, Assert.Throws<SriovException>(action));

    public static SriovException IsError(SriovErrorCategory category, object? error)
    {
        var exception = Assert.IsType<SriovException>(error);
        Assert.Equal(category, exception.Category);
        return exception;
    }
}
