namespace SriovPS;

/// <summary>The outcome of one host readiness check.</summary>
public enum SriovCheckStatus
{
    /// <summary>The host is ready in this respect.</summary>
    Pass,

    /// <summary>Works, but with a cost or a risk the finding explains.</summary>
    Warning,

    /// <summary>Something a guest needs is missing: starting or attaching will fail until the remedy is applied.</summary>
    Fail,

    /// <summary>Not judged: the evidence needs the live host or libvirt, or an earlier check failed.</summary>
    Skipped,
}
