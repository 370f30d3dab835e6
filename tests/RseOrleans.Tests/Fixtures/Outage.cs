namespace RseOrleans.Tests.Fixtures;

/// <summary>A fault a test switched on, switched off when disposed.</summary>
internal sealed class Outage(Action end) : IDisposable
{
    public void Dispose() => end();
}
