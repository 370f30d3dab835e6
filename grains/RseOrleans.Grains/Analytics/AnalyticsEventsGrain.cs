using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Concurrency;
using RseOrleans.Model;

namespace RseOrleans.Grains.Analytics;

/// <summary>
/// The statistics' subscriber to the network's engine events: each owner grain's "post created",
/// "comment created", "reaction added", "member joined or left", "user created" goes into this
/// silo's buffer, with no grain call of its own.
/// </summary>
[StatelessWorker]
[GrainType("analytics-events")]
public sealed class AnalyticsEventsGrain(AnalyticsRecorder recorder) : Grain, IAnalyticsEventsGrain
{
    public static readonly EngineEventKind[] Kinds =
    [
        EngineEventKind.PostCreated, EngineEventKind.CommentCreated, EngineEventKind.ReactionAdded,
        EngineEventKind.MemberJoined, EngineEventKind.MemberLeft, EngineEventKind.UserCreated,
    ];

    public Task Receive(IReadOnlyList<EngineEvent> events)
    {
        foreach (var e in events)
        {
            switch (e.Kind)
            {
                case EngineEventKind.PostCreated:
                    recorder.Acted(new ActRecord(e.ActorId, AnalyticsAct.Post, e.PostId, e.At), e.GroupId);
                    break;
                case EngineEventKind.CommentCreated:
                    recorder.Acted(new ActRecord(e.ActorId, AnalyticsAct.Comment, e.PostId, e.At), e.GroupId);
                    break;
                case EngineEventKind.ReactionAdded:
                    recorder.Acted(new ActRecord(e.ActorId, AnalyticsAct.Reaction, e.PostId, e.At), e.GroupId);
                    break;
                case EngineEventKind.MemberJoined or EngineEventKind.MemberLeft when e.GroupId is not null:
                    recorder.MembersChanged(e.GroupId, e.UserId ?? e.ActorId, e.Kind == EngineEventKind.MemberJoined ? 1 : -1, e.At);
                    break;
                case EngineEventKind.UserCreated:
                    recorder.AccountCreated(e.UserId ?? e.ActorId, e.At);
                    break;
            }
        }

        return Task.CompletedTask;
    }
}

/// <summary>At each silo's start, (re)subscribes the statistics to the network's engine events; a subscription replaces itself.</summary>
internal sealed class AnalyticsSubscription(IGrainFactory grains) : ILifecycleParticipant<ISiloLifecycle>
{
    public const string SubscriptionId = "analytics";

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(AnalyticsSubscription), ServiceLifecycleStage.Active, _ =>
            grains.GetGrain<IEventSubscriptionsGrain>(EventScopes.Network).Subscribe(
                new EventSubscription(SubscriptionId, grains.GetGrain<IAnalyticsEventsGrain>(0), AnalyticsEventsGrain.Kinds)));
}

public static class AnalyticsServiceCollectionExtensions
{
    /// <summary>The process's analytics buffer and the silo's subscription to engine events.</summary>
    public static IServiceCollection AddRseAnalytics(this IServiceCollection services)
    {
        services.TryAddSingleton<AnalyticsRecorder>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, AnalyticsSubscription>();
        return services;
    }
}
