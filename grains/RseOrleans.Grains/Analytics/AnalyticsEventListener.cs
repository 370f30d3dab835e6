using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RseOrleans.Grains.Events;
using RseOrleans.Model;

namespace RseOrleans.Grains.Analytics;

/// <summary>
/// The statistics follow the engine events of their own process: each owner grain's post, share,
/// comment, reaction, membership change, new account, profile change and erasure goes into this process's buffer, with no
/// grain call of its own.
/// </summary>
public sealed class AnalyticsEventListener(AnalyticsRecorder recorder) : IEngineEventListener
{
    public void Take(IReadOnlyList<EngineEvent> events)
    {
        foreach (var e in events)
        {
            switch (e.Kind)
            {
                case EngineEventKind.PostCreated:
                    recorder.Acted(e.ActorId, AnalyticsAct.Post, e.PostId, e.GroupId, e.At);
                    break;
                case EngineEventKind.PostShared:
                    // A share is a post (counted above) and an act on the original.
                    recorder.Acted(e.ActorId, AnalyticsAct.Share, e.SharedPostId, e.GroupId, e.At);
                    break;
                case EngineEventKind.CommentCreated:
                    recorder.Acted(e.ActorId, AnalyticsAct.Comment, e.PostId, e.GroupId, e.At);
                    break;
                case EngineEventKind.ReactionAdded:
                    recorder.Acted(e.ActorId, AnalyticsAct.Reaction, e.PostId, e.GroupId, e.At);
                    break;
                case EngineEventKind.MemberJoined or EngineEventKind.MemberLeft or EngineEventKind.MemberRemoved when e.GroupId is not null:
                    recorder.MembersChanged(e.GroupId, e.UserId ?? e.ActorId, e.Kind == EngineEventKind.MemberJoined ? 1 : -1, e.At);
                    break;
                case EngineEventKind.UserCreated:
                    recorder.AccountCreated(e.UserId ?? e.ActorId, e.At);
                    break;
                case EngineEventKind.UserUpdated:
                    recorder.ProfileChanged(e.UserId ?? e.ActorId, e.At);
                    break;
                case EngineEventKind.UserErased:
                    recorder.AccountErased(e.UserId ?? e.ActorId, e.At);
                    break;
            }
        }
    }
}

public static class AnalyticsServiceCollectionExtensions
{
    /// <summary>The process's analytics buffer, fed by the engine events of this process's grains.</summary>
    public static IServiceCollection AddRseAnalytics(this IServiceCollection services)
    {
        // Durable mode registers its journal and its people's table first; the embedded default
        // keeps no journal, and the people in grain storage (memory).
        services.TryAddSingleton<IAnalyticsJournal, NoAnalyticsJournal>();
        services.TryAddSingleton<IAnalyticsPeopleStore, GrainStorageAnalyticsPeopleStore>();
        services.TryAddSingleton<AnalyticsRecorder>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IEngineEventListener, AnalyticsEventListener>());
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, AnalyticsShutdown>();
        return services;
    }
}

/// <summary>At a silo's shutdown, the buffer's last flush while the silo still takes calls.</summary>
internal sealed class AnalyticsShutdown(AnalyticsRecorder recorder) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(AnalyticsShutdown), ServiceLifecycleStage.Active, _ => Task.CompletedTask, _ => recorder.CloseAsync());
}
