using Microsoft.Extensions.DependencyInjection.Extensions;

namespace RseOrleans.Silo.Hosting;

/// <summary>
/// Drops one false alarm of Orleans' watchdog: at start its platform thread may check the
/// component thread's heartbeat before that heartbeat was first set, and reports a stall as long
/// as the machine's uptime ("Participant check thread has not completed for 02:48:33"). A stall
/// longer than the process has lived cannot be real; every other stall is still logged.
/// </summary>
internal static class StartupStallFilter
{
    private const string WatchdogCategory = "Orleans.Runtime.Watchdog";
    private const int StalledEventId = 100150;

    /// <summary>Wraps every logging provider registered so far; call after logging is configured.</summary>
    public static void Apply(IServiceCollection services)
    {
        foreach (var provider in services.Where(service => service.ServiceType == typeof(ILoggerProvider)).ToList())
        {
            services.Remove(provider);
            services.Add(ServiceDescriptor.Singleton<ILoggerProvider>(container => new FilteringProvider(Create(provider, container))));
        }
    }

    private static ILoggerProvider Create(ServiceDescriptor provider, IServiceProvider container) => (ILoggerProvider)(
        provider.ImplementationInstance
        ?? provider.ImplementationFactory?.Invoke(container)
        ?? ActivatorUtilities.CreateInstance(container, provider.ImplementationType!));

    private static bool IsImpossibleStall<TState>(EventId eventId, TState state) =>
        eventId.Id == StalledEventId
        && state is IReadOnlyList<KeyValuePair<string, object?>> values
        && values.Any(value => value is { Key: "TimeSinceLastTick", Value: TimeSpan stall } && stall > ProcessAge());

    private static readonly DateTime ProcessStarted = System.Diagnostics.Process.GetCurrentProcess().StartTime;

    private static TimeSpan ProcessAge() => DateTime.Now - ProcessStarted;

    private sealed class FilteringProvider(ILoggerProvider inner) : ILoggerProvider, ISupportExternalScope
    {
        public ILogger CreateLogger(string categoryName) => categoryName == WatchdogCategory
            ? new FilteringLogger(inner.CreateLogger(categoryName))
            : inner.CreateLogger(categoryName);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) =>
            (inner as ISupportExternalScope)?.SetScopeProvider(scopeProvider);

        public void Dispose() => inner.Dispose();
    }

    private sealed class FilteringLogger(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsImpossibleStall(eventId, state))
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
