using RseOrleans.Grains;
using StackExchange.Redis;

namespace RseOrleans.Silo.Hosting;

/// <summary>
/// Keeps the log readable by dropping four kinds of entries that are known not to need anyone:
/// <list type="bullet">
/// <item>Orleans' watchdog reporting, as the silo starts, a stall longer than the process has lived:
/// its platform thread may read the component thread's heartbeat before it was first set, and
/// reports the machine's uptime ("Participant check thread has not completed for 02:48:33"). Real
/// stalls are still logged.</item>
/// <item>Cancellations while the host stops (stream pulling agents, timers): a stop cancels them.</item>
/// <item>Stack traces of a storage outage from anyone but the store's breaker, which reports the
/// outage once, with what to do, and again when the store answers (a failed activation alone logs
/// four errors in Orleans).</item>
/// <item>Redis failures while the host stops, and Orleans' note that its membership agent stopped
/// slowly: a silo that cannot record leaving in the membership table says so in one line
/// (<see cref="MembershipLeaving"/>), where Orleans logs each failed attempt with its stack trace.</item>
/// </list>
/// </summary>
internal static class LogNoiseFilter
{
    private const string WatchdogCategory = "Orleans.Runtime.Watchdog";
    private const string BreakerCategory = "RseOrleans.Storage.Resilience.StoreBreaker";
    private const int StalledEventId = 100150;
    private const string LifecycleCategory = "Orleans.Runtime.SiloLifecycleSubject";
    private const int ObserverStoppedEventId = 100452;
    private static readonly DateTime ProcessStarted = System.Diagnostics.Process.GetCurrentProcess().StartTime;

    /// <summary>
    /// Wraps the host's logger factory, so that every logger filters and the providers and their
    /// settings stay as configured.
    /// </summary>
    public static void Apply(IServiceCollection services)
    {
        var host = new HostStopping();
        services.AddSingleton<IHostedService>(host);
        var factory = services.Single(service => service.ServiceType == typeof(ILoggerFactory));
        services.Remove(factory);
        services.Add(ServiceDescriptor.Singleton<ILoggerFactory>(container => new FilteringFactory(Create(factory, container), host)));
    }

    private static ILoggerFactory Create(ServiceDescriptor factory, IServiceProvider container) => (ILoggerFactory)(
        factory.ImplementationInstance
        ?? factory.ImplementationFactory?.Invoke(container)
        ?? ActivatorUtilities.CreateInstance(container, factory.ImplementationType!));

    private static bool IsNoise<TState>(string category, HostStopping host, EventId eventId, TState state, Exception? exception) =>
        (category == WatchdogCategory && IsImpossibleStall(eventId, state))
        || (exception is not null && host.IsStopping && StorageFailures.Chain(exception).Any(e => e is OperationCanceledException or RedisConnectionException or RedisTimeoutException))
        || (exception is not null && category != BreakerCategory && StorageFailures.IsUnavailable(exception))
        || (host.IsStopping && category == LifecycleCategory && IsMembershipAgentStopped(eventId, state));

    private static bool IsImpossibleStall<TState>(EventId eventId, TState state) =>
        eventId.Id == StalledEventId
        && state is IReadOnlyList<KeyValuePair<string, object?>> values
        && values.Any(value => value is { Key: "TimeSinceLastTick", Value: TimeSpan stall } && stall > DateTime.Now - ProcessStarted);

    private static bool IsMembershipAgentStopped<TState>(EventId eventId, TState state) =>
        eventId.Id == ObserverStoppedEventId
        && state is IReadOnlyList<KeyValuePair<string, object?>> values
        && values.Any(value => value is { Key: "Name", Value: "MembershipAgent" });

    /// <summary>Set when the host begins to stop, before any service stops.</summary>
    private sealed class HostStopping : IHostedLifecycleService
    {
        public bool IsStopping { get; private set; }

        public Task StoppingAsync(CancellationToken cancellationToken)
        {
            IsStopping = true;
            return Task.CompletedTask;
        }

        public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class FilteringFactory(ILoggerFactory inner, HostStopping host) : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName) => new FilteringLogger(inner.CreateLogger(categoryName), categoryName, host);

        public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

        public void Dispose() => inner.Dispose();
    }

    private sealed class FilteringLogger(ILogger inner, string category, HostStopping host) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsNoise(category, host, eventId, state, exception))
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
