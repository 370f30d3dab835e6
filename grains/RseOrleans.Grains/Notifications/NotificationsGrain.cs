using Orleans.Streams;
using RseOrleans.Grains.Infrastructure;
using RseOrleans.Grains.Sources;
using RseOrleans.Model;

namespace RseOrleans.Grains.Notifications;

[GenerateSerializer]
[Alias("rse.NotificationsState")]
public sealed class NotificationsState
{
    /// <summary>By key; at most <see cref="NotificationLimits.MaxGroups"/>, the newest by position.</summary>
    [Id(0)]
    public Dictionary<string, NotificationGroup> Groups { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The last position or change stamp given: one counter, so both only grow.</summary>
    [Id(1)]
    public long LastStamp { get; set; }

    [Id(2)]
    public NotificationMarkers Markers { get; set; } = NotificationMarkers.Initial;

    [Id(3)]
    public NotificationSettings Settings { get; set; } = NotificationSettings.Default;

    /// <summary>
    /// Per group of new group posts, the posts it counts (null: none), so that a post told twice
    /// counts once and only a post counted is taken back when deleted. 8 bytes a post.
    /// </summary>
    [Id(4)]
    public Dictionary<string, List<long>>? GroupPosts { get; set; }

    /// <summary>
    /// Per group of acts nobody takes back (<see cref="NotificationKinds.KeepsActors"/>), the people
    /// it counts (null: none), so that a person counts once in a group and an erasure takes them
    /// out of the count. Groups stored before it existed have no entry and keep their counts.
    /// </summary>
    [Id(5)]
    public Dictionary<string, List<string>>? GroupActors { get; set; }
}

/// <summary>
/// One person's notifications. Acts come one way and in batches; each changes a group in memory
/// and the batch is written once. Settings apply when the groups are read, never when acts come:
/// every act is counted, so a withdrawal always finds what it takes back, whatever the settings
/// were when the act came. The live stream is used only while someone watches, as for the
/// home feed: it wakes the watch, which reads what changed from here.
/// </summary>
[GrainType("notifications")]
public sealed class NotificationsGrain(
    [PersistentState("notifications", StorageNames.Main)] IPersistentState<NotificationsState> state,
    ISourceKeeping keeping,
    TimeProvider clock) : Grain, INotificationsGrain
{
    private Dictionary<Guid, DateTimeOffset>? watchers;
    private IAsyncStream<NotificationsChanged>? liveStream;
    private bool accountTold;
    private IGrainTimer? pendingWrite;

    private static readonly TimeSpan ActsWrittenAfter = TimeSpan.FromMilliseconds(100);

    private NotificationsState State => state.State;

    public async Task Apply(IReadOnlyList<NotificationEvent> events)
    {
        var owner = this.GetPrimaryKeyString();
        HashSet<NotificationEvent>? dropped = null;
        foreach (var act in events)
        {
            if (NotificationGrouping.IsNewActor(State, act) && !await NotedByActorAsync(act, owner))
            {
                (dropped ??= new(ReferenceEqualityComparer.Instance)).Add(act);
            }
        }

        var changed = NotificationGrouping.ApplyAll(State, events, act => act.ActorId != owner && dropped?.Contains(act) != true);
        if (!changed)
        {
            return;
        }

        NotificationGrouping.KeepNewest(State, NotificationLimits.MaxGroups);
        await TellAccountAsync();
        WriteSoon();
        await AnnounceAsync();
    }

    /// <summary>
    /// Acts come one way and, for a hot post's author, by the thousand: a reaction shard's every
    /// commit. Their groups change in memory at once (reads and watches see them there), and the
    /// state is written once, <see cref="ActsWrittenAfter"/> later, for every batch that came
    /// meanwhile, rather than at each batch (a write stores every group the person keeps). A crash
    /// in between loses those acts' notifications, as a lost one-way call would: never the
    /// reactions, comments or follows themselves. Answers to the person's own calls (markers,
    /// settings) are written before they return.
    /// </summary>
    private void WriteSoon() =>
        pendingWrite ??= this.RegisterGrainTimer(WritePendingAsync, new GrainTimerCreationOptions(ActsWrittenAfter, Timeout.InfiniteTimeSpan) { KeepAlive = true });

    private Task WritePendingAsync(CancellationToken cancellation) => WriteAsync();

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Not when the state ends with the process (the embedded engine stopping): its storage may be gone already.
        if (pendingWrite is not null && keeping.OutlastsDeactivation(reason))
        {
            await WriteAsync();
        }
    }

    /// <summary>
    /// Notes this person in the actor's content index before an act nobody takes back counts here,
    /// so that erasing the actor finds them. False when the actor is being erased: the act is dropped.
    /// </summary>
    private async Task<bool> NotedByActorAsync(NotificationEvent act, string owner)
    {
        try
        {
            await GrainFactory.ContentIndexOf(act.ActorId, TimeOrderedIdGenerator.FirstIdAt(act.At)).NoteNotified(owner);
            return true;
        }
        catch (DomainException)
        {
            return false;
        }
    }

    public Task<NotificationGroupPage> ReadBefore(long? before, int count)
    {
        var limit = before ?? long.MaxValue;
        var newer = State.Groups.Values.Where(group => group.Count > 0 && group.Position < limit && Shown(group)).OrderByDescending(group => group.Position).Take(count + 1).ToList();
        var hasMore = newer.Count > count;
        return Task.FromResult(new NotificationGroupPage(hasMore ? newer[..count] : newer, hasMore));
    }

    public Task<NotificationGroupPage> ReadChangedAfter(long changedAfter, int count)
    {
        var changed = State.Groups.Values.Where(group => group.Changed > changedAfter && Shown(group)).OrderBy(group => group.Changed).Take(count + 1).ToList();
        var hasMore = changed.Count > count;
        return Task.FromResult(new NotificationGroupPage(hasMore ? changed[..count] : changed, hasMore));
    }

    private bool Shown(NotificationGroup group) => NotificationGrouping.Shown(State.Settings, group);

    public Task<long> GetLastChange() => Task.FromResult(State.LastStamp);

    public Task<IReadOnlyList<NotificationGroup>> GetUnread()
    {
        var read = State.Markers.NotificationsRead;
        return Task.FromResult<IReadOnlyList<NotificationGroup>>([.. State.Groups.Values.Where(group => group.Count > 0 && group.Position > read && Shown(group))]);
    }

    public Task<NotificationMarkers> GetMarkers() => Task.FromResult(State.Markers);

    public async Task<NotificationMarkers> UpdateMarkers(MarkerUpdate update)
    {
        var current = State.Markers;
        if (update.ExpectedVersion != current.Version)
        {
            throw DomainException.Precondition(
                $"version: the markers are at version {current.Version}, not {update.ExpectedVersion}; read them again (GetMarkers) and retry.");
        }

        return await SetMarkersAsync(current with
        {
            HomeFeed = update.HomeFeed ?? current.HomeFeed,
            NotificationsRead = update.NotificationsRead ?? current.NotificationsRead,
            NotificationsSeen = update.NotificationsSeen ?? current.NotificationsSeen,
        });
    }

    public async Task<NotificationMarkers> MarkRead(long upTo, bool alsoSeen)
    {
        var current = State.Markers;
        var read = Math.Max(current.NotificationsRead, upTo);
        var seen = alsoSeen ? Math.Max(current.NotificationsSeen, upTo) : current.NotificationsSeen;
        return read == current.NotificationsRead && seen == current.NotificationsSeen
            ? current
            : await SetMarkersAsync(current with { NotificationsRead = read, NotificationsSeen = seen });
    }

    private async Task<NotificationMarkers> SetMarkersAsync(NotificationMarkers markers)
    {
        // A marker move is a change a watch on another device must hear of (its unread count moves).
        State.Markers = markers with { Version = markers.Version + 1, UpdatedAt = clock.GetUtcNow() };
        State.LastStamp++;
        await WriteAsync();
        await AnnounceAsync();
        return State.Markers;
    }

    /// <summary>
    /// The writes that add to what the person holds: before the first, the account hears that
    /// there is something to read (reads skip this grain while it says there is nothing).
    /// </summary>
    private async Task WriteAsync()
    {
        await TellAccountAsync();
        pendingWrite?.Dispose();
        pendingWrite = null;
        await state.WriteStateAsync();
    }

    private async Task TellAccountAsync()
    {
        if (!accountTold)
        {
            await GrainFactory.GetGrain<IUserGrain>(this.GetPrimaryKeyString()).NoteHolding(PersonalHoldings.Notifications);
            accountTold = true;
        }
    }

    public Task<NotificationSettings> GetSettings() => Task.FromResult(State.Settings);

    public async Task<NotificationSettings> UpdateSettings(NotificationSettings settings)
    {
        if (settings.GroupLevels.Count > NotificationLimits.MaxSettingsEntries || settings.MutedPosts.Count > NotificationLimits.MaxSettingsEntries)
        {
            throw DomainException.Invalid("settings", $"at most {NotificationLimits.MaxSettingsEntries} muted posts and group levels.");
        }

        var before = State.Settings;
        State.Settings = settings;
        await WriteAsync();
        await KeepSubscriptionsAsync(before, settings);
        return settings;
    }

    /// <summary>
    /// After the settings' write, the groups' copies of who is at "all" follow: every group at "all"
    /// now is told again (so saving the settings repairs a copy a failure left behind), and every
    /// group no longer at "all" is told to drop the owner.
    /// </summary>
    private Task KeepSubscriptionsAsync(NotificationSettings before, NotificationSettings after)
    {
        var owner = this.GetPrimaryKeyString();
        var now = GroupsAtAll(after);
        var dropped = GroupsAtAll(before).Except(now, StringComparer.Ordinal);
        return Task.WhenAll(now.Select(groupId => Subscribers(groupId).Set(owner, true))
            .Concat(dropped.Select(groupId => Subscribers(groupId).Set(owner, false))));
    }

    private static string[] GroupsAtAll(NotificationSettings settings) =>
        [.. settings.GroupLevels.Where(pair => pair.Value == GroupNotificationLevel.All).Select(pair => pair.Key)];

    private IGroupPostSubscribersGrain Subscribers(string groupId) => GrainFactory.GetGrain<IGroupPostSubscribersGrain>(groupId);

    public Task Watch(Guid watcherId, TimeSpan lease)
    {
        (watchers ??= [])[watcherId] = clock.GetUtcNow() + lease;
        return Task.CompletedTask;
    }

    public Task Unwatch(Guid watcherId)
    {
        watchers?.Remove(watcherId);
        return Task.CompletedTask;
    }

    public async Task ForgetActor(string actorId)
    {
        if (NotificationGrouping.ForgetActor(State, actorId))
        {
            pendingWrite?.Dispose();
            pendingWrite = null;
            await state.WriteStateAsync();
            await AnnounceAsync();
        }
    }

    public async Task<int> Clear()
    {
        var count = State.Groups.Count;
        pendingWrite?.Dispose();
        pendingWrite = null;
        await KeepSubscriptionsAsync(State.Settings, NotificationSettings.Default);
        // Most people have nothing stored: only a record that exists is deleted.
        if (state.RecordExists)
        {
            await state.ClearStateAsync();
        }

        state.State = new NotificationsState();
        return count;
    }

    private async Task AnnounceAsync()
    {
        if (!HasWatchers())
        {
            return;
        }

        liveStream ??= this.GetStreamProvider(StreamNames.Provider)
            .GetStream<NotificationsChanged>(StreamId.Create(NotificationLimits.StreamNamespace, this.GetPrimaryKeyString()));
        await liveStream.OnNextAsync(new NotificationsChanged(State.LastStamp));
    }

    private bool HasWatchers()
    {
        if (watchers is null)
        {
            return false;
        }

        var now = clock.GetUtcNow();
        foreach (var (id, expiry) in watchers)
        {
            if (expiry <= now)
            {
                watchers.Remove(id);
            }
        }

        if (watchers.Count > 0)
        {
            return true;
        }

        watchers = null;
        return false;
    }
}
