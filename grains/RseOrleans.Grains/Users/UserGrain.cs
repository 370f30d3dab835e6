using RseOrleans.Grains.Events;
using RseOrleans.Grains.Infrastructure;
using RseOrleans.Grains.Repair;
using RseOrleans.Model;

namespace RseOrleans.Grains.Users;

/// <summary>
/// A person's profile, follows (the user grain owns them), account and erasure steps; their groups
/// and join requests are copies derived from the group grains.
/// </summary>
/// <remarks>Over 300 lines: the account's own calls (profile, follows, role, status, erasure, repair) in one place.</remarks>
[GrainType("user")]
public sealed class UserGrain(
    [PersistentState("user", StorageNames.Main)] IPersistentState<UserState> state,
    LocalReadModel readModel,
    SharedStrings strings,
    EngineEvents events,
    TimeProvider clock) : Grain, IUserGrain, IPublishesLocally, IHasPublishedValue<PublishedUser>, IRemindable
{
    // Audit keys of admin actions; retries themselves are the API's (see IRequestLedgerGrain).
    private const string RoleOperation = "set-network-role";
    private const string StatusOperation = "set-account-status";

    private WriteAllowanceBucket writeAllowance;

    // One string for the snapshots, the account and the read model's key: the key makes a new one at every call.
    private string? userId;

    private string UserId => userId ??= this.GetPrimaryKeyString();

    private SourceId OwnSource => SourceId.User(UserId);

    private LocalPublication<string, PublishedUser>? publication;

    private LocalPublication<string, PublishedUser> Published => publication ??=
        new LocalPublication<string, PublishedUser>(readModel.Users, UserId, this);

    ILocalPublication IPublishesLocally.Publication => Published;

    PublishedUser? IHasPublishedValue<PublishedUser>.PublishedValue() => new PublishedUser(state.State.Profile is null ? null : Snapshot(), Account());

    // An account changes rarely: the reminder is set before each change that tells something, so a silo dying during the hand-on leaves its events under it.
    private const ReminderUse EventsReminder = ReminderUse.BeforeStoring;

    private EventOutbox<UserState>? outbox;

    private EventOutbox<UserState> Outbox => outbox ??= events.OutboxOf(this, state, EventsReminder);

    public Task ReceiveReminder(string reminderName, TickStatus status) => Outbox.ReceiveReminder(reminderName);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        outbox = events.ResumeOutboxOf(this, state, EventsReminder);
        if (state.State.Profile is { } profile)
        {
            state.State.Profile = Shared(profile);
            state.State.ShareIds(strings);
        }

        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        Published.Stop();
        return Task.CompletedTask;
    }

    public Task<UserSnapshot> Create(UserProfile profile) => CreateAs(profile, NetworkRole.Member);

    public async Task<UserSnapshot> CreateAs(UserProfile profile, NetworkRole role)
    {
        if (IsErased)
        {
            throw new DomainException(DomainError.AlreadyExists, $"user_id: '{UserId}' belonged to an erased account and cannot be used again.");
        }

        if (state.State.Profile is not null)
        {
            throw new DomainException(DomainError.AlreadyExists, $"user_id: a user '{UserId}' already exists.");
        }

        // The user's own posts belong in their home feed.
        await GrainFactory.GetGrain<IFeedGrain>(UserId).AddSource(OwnSource, []);

        var now = clock.GetUtcNow();
        state.State.Profile = Shared(profile);
        state.State.Role = role;
        state.State.KnownEmpty = PersonalHoldings.Bookmarks | PersonalHoldings.Notifications;
        state.State.CreatedAt = now;
        state.State.UpdatedAt = now;
        await Outbox.WriteAsync(EngineEvent.Of(EngineEventKind.UserCreated, groupId: null, UserId, now) with { UserId = UserId });
        return Snapshot();
    }

    public Task<UserSnapshot?> Get()
    {
        Published.MarkRead();
        return Task.FromResult(state.State.Profile is null ? null : Snapshot());
    }

    public async Task<UserSnapshot> Update(UserProfile values, ProfileFields fields)
    {
        var current = EnsureExists();
        state.State.Profile = Shared(current with
        {
            DisplayName = fields.HasFlag(ProfileFields.DisplayName) ? values.DisplayName : current.DisplayName,
            Title = fields.HasFlag(ProfileFields.Title) ? values.Title : current.Title,
            Department = fields.HasFlag(ProfileFields.Department) ? values.Department : current.Department,
            Location = fields.HasFlag(ProfileFields.Location) ? values.Location : current.Location,
            TimeZone = fields.HasFlag(ProfileFields.TimeZone) ? values.TimeZone : current.TimeZone,
            Language = fields.HasFlag(ProfileFields.Language) ? values.Language : current.Language,
            Skills = fields.HasFlag(ProfileFields.Skills) ? values.Skills : current.Skills,
            Links = fields.HasFlag(ProfileFields.Links) ? values.Links : current.Links,
        });
        state.State.UpdatedAt = clock.GetUtcNow();
        await Outbox.WriteAsync(EngineEvent.Of(EngineEventKind.UserUpdated, groupId: null, UserId, state.State.UpdatedAt) with { UserId = UserId });
        return Snapshot();
    }

    public async Task<bool> Follow(string targetUserId)
    {
        EnsureExists();
        if (targetUserId == UserId)
        {
            throw DomainException.Invalid("user_id", "a user cannot follow themselves.");
        }

        var changed = !state.State.Following.Contains(targetUserId);
        if (changed)
        {
            var target = SourceId.User(targetUserId);
            var recent = await GrainFactory.GetGrain<ISourceGrain>(target.Key).AddAudience([UserId]);
            await GrainFactory.GetGrain<IFeedGrain>(UserId).AddSource(target, recent);
            state.State.Following.Add(strings.Share(targetUserId));
            await state.WriteStateAsync();
        }

        return changed;
    }

    public async Task<bool> Unfollow(string targetUserId)
    {
        EnsureExists();
        var changed = state.State.Following.Contains(targetUserId);
        if (changed)
        {
            var target = SourceId.User(targetUserId);
            await GrainFactory.GetGrain<ISourceGrain>(target.Key).RemoveAudience(UserId);
            await GrainFactory.GetGrain<IFeedGrain>(UserId).RemoveSource(target);
            state.State.Following.Remove(targetUserId);
            await state.WriteStateAsync();
        }

        return changed;
    }

    public Task<IdPage> ListFollowing(string? after, int pageSize)
    {
        var (items, next) = state.State.Following.After(after, pageSize);
        return Task.FromResult(new IdPage(items, next));
    }

    public async Task NoteHolding(PersonalHoldings holdings)
    {
        if ((state.State.KnownEmpty & holdings) == PersonalHoldings.None)
        {
            return;
        }

        state.State.KnownEmpty &= ~holdings;
        await state.WriteStateAsync();
    }

    public Task<AccountSnapshot> GetAccount()
    {
        Published.MarkRead();
        return Task.FromResult(Account());
    }

    public Task<TimeSpan?> TakeWriteAllowance(WriteAllowance allowance) => Task.FromResult(writeAllowance.Take(allowance, clock));

    public async Task<AccountSnapshot> SetNetworkRole(NetworkRole role, string actorId, string requestId)
    {
        EnsureExists();
        if (state.State.Role != role)
        {
            state.State.Role = role;
            await state.WriteStateAsync();
        }

        await AuditAsync(RoleOperation, actorId, requestId, AuditActions.SetNetworkRole, role.ToString().ToLowerInvariant());
        return Account();
    }

    public async Task<AccountSnapshot> SetStatus(AccountStatus status, string actorId, string requestId)
    {
        EnsureExists();
        var action = status == AccountStatus.Deactivated ? AuditActions.DeactivateUser : AuditActions.ReactivateUser;
        if (state.State.Status == status)
        {
            return Account();
        }

        state.State.Status = status;
        state.State.StatusChangedAt = clock.GetUtcNow();
        await Outbox.WriteAsync(status == AccountStatus.Deactivated
            ? [EngineEvent.Of(EngineEventKind.UserDeactivated, groupId: null, actorId, state.State.StatusChangedAt.Value) with { UserId = UserId }]
            : []);

        if (status == AccountStatus.Deactivated)
        {
            // After the write: a watch that wakes up and re-reads the account must see the change.
            await this.GetStreamProvider(StreamNames.Provider)
                .GetStream<AccessChanged>(StreamId.Create(AccessStreams.Namespace, UserId))
                .OnNextAsync(new AccessChanged(UserId, status));
        }

        await AuditAsync(StatusOperation, actorId, requestId, action, "");
        return Account();
    }

    public async Task NoteMembership(string groupId, bool isMember)
    {
        if (isMember && IsErased)
        {
            throw DomainException.NotFound($"User '{UserId}'");
        }

        var changed = isMember ? state.State.GroupsCopy.Add(strings.Share(groupId)) : state.State.GroupsCopy.Remove(groupId);
        if (isMember)
        {
            // An approved request ends here.
            changed |= state.State.JoinRequestsCopy.Remove(groupId);
        }

        if (changed && Exists)
        {
            await state.WriteStateAsync();
        }
    }

    public Task<IReadOnlyCollection<string>> GetGroupIds() =>
        Task.FromResult<IReadOnlyCollection<string>>(state.State.GroupsCopy.ToArray());

    public async Task NoteJoinRequest(string groupId, bool pending)
    {
        if (pending && IsErased)
        {
            throw DomainException.NotFound($"User '{UserId}'");
        }

        var changed = pending ? state.State.JoinRequestsCopy.Add(groupId) : state.State.JoinRequestsCopy.Remove(groupId);
        if (changed && Exists)
        {
            await state.WriteStateAsync();
        }
    }

    public Task<UserRelations> GetRelations() => Task.FromResult(new UserRelations(
        state.State.Following.ToArray(),
        state.State.GroupsCopy.ToArray(),
        state.State.JoinRequestsCopy.ToArray()));

    public async Task<bool> MarkErased()
    {
        if (IsErased)
        {
            return false;
        }

        EnsureExists();
        state.State.Status = AccountStatus.Erased;
        state.State.StatusChangedAt = clock.GetUtcNow();
        state.State.Profile = null;
        state.State.Role = NetworkRole.Member;
        state.State.CreatedAt = state.State.UpdatedAt = default;
        await Outbox.WriteAsync(EngineEvent.Of(EngineEventKind.UserErased, groupId: null, UserId, state.State.StatusChangedAt.Value) with { UserId = UserId });

        // After the write, as for a deactivation: the watch re-reads the account and must see it.
        await this.GetStreamProvider(StreamNames.Provider)
            .GetStream<AccessChanged>(StreamId.Create(AccessStreams.Namespace, UserId))
            .OnNextAsync(new AccessChanged(UserId, AccountStatus.Erased));
        return true;
    }

    public async Task<int> DropFollowing()
    {
        EnsureErased();
        var followed = state.State.Following.ToArray();
        foreach (var targetUserId in followed)
        {
            var target = SourceId.User(targetUserId);
            await GrainFactory.GetGrain<ISourceGrain>(target.Key).RemoveAudience(UserId);
            await GrainFactory.GetGrain<IFeedGrain>(UserId).RemoveSource(target);
        }

        if (followed.Length > 0)
        {
            state.State.Following.Clear();
            await state.WriteStateAsync();
        }

        return followed.Length;
    }

    public async Task<DateTimeOffset> CompleteErasure()
    {
        EnsureErased();
        if (state.State.Following.Count + state.State.GroupsCopy.Count + state.State.JoinRequestsCopy.Count > 0)
        {
            state.State.Following.Clear();
            state.State.GroupsCopy.Clear();
            state.State.JoinRequestsCopy.Clear();
            await state.WriteStateAsync();
        }

        return state.State.StatusChangedAt ?? default;
    }

    public async Task<RepairReport> RepairDerivedCopies()
    {
        if (state.State.Profile is null)
        {
            // Missing, or erased: an erased user's copies were undone by the erasure.
            return RepairReport.None;
        }

        var repair = new DerivedCopies(GrainFactory);
        var follows = await repair.RepairFollowsAsync(UserId, state.State.Following.ToArray());
        var copies = state.State;
        var (memberOf, requestedBy, memberships) = await repair.RepairMembershipsAsync(UserId, [.. copies.GroupsCopy, .. copies.JoinRequestsCopy]);
        var changed = Reconcile(copies.GroupsCopy, memberOf) + Reconcile(copies.JoinRequestsCopy, requestedBy);
        if (changed > 0)
        {
            await state.WriteStateAsync();
        }

        return follows + memberships + new RepairReport(0, changed);
    }

    /// <summary>Makes a copy hold exactly what its owners answered; returns how many ids it changed.</summary>
    private int Reconcile(SortedIdSet copy, HashSet<string> answered)
    {
        var stale = copy.Where(id => !answered.Contains(id)).ToArray();
        foreach (var id in stale)
        {
            copy.Remove(id);
        }

        return stale.Length + answered.Count(id => copy.Add(strings.Share(id)));
    }

    /// <summary>Reports an admin action after its state is saved; a retry reports the same key, kept once.</summary>
    private Task AuditAsync(string operation, string actorId, string requestId, string action, string detail) =>
        GrainFactory.GetGrain<IAuditLogGrain>(IAuditLogGrain.NetworkKey).Record(
            new AuditRecord($"user:{UserId}|{operation}|{actorId}|{requestId}", actorId, action, UserId, null, detail));

    /// <summary>A live account, or the tombstone of an erased one.</summary>
    private bool Exists => state.State.Profile is not null || IsErased;

    private bool IsErased => state.State.Status == AccountStatus.Erased;

    private AccountSnapshot Account() => Exists
        ? new AccountSnapshot(UserId, Exists: true, state.State.Role, state.State.Status, state.State.StatusChangedAt, state.State.KnownEmpty)
        : new AccountSnapshot(UserId, Exists: false, NetworkRole.Member, AccountStatus.Active, null);

    private UserProfile EnsureExists() =>
        IsErased ? throw DomainException.Precondition($"The account '{UserId}' was erased; it cannot be changed or reactivated.")
        : state.State.Profile ?? throw DomainException.NotFound($"User '{UserId}'");

    private void EnsureErased()
    {
        if (!IsErased)
        {
            throw DomainException.Precondition($"The account '{UserId}' is not being erased.");
        }
    }

    /// <summary>The profile with the values colleagues have in common shared across the silo; the name is the user's own.</summary>
    private UserProfile Shared(UserProfile profile) => profile with
    {
        Title = strings.Share(profile.Title),
        Department = strings.Share(profile.Department),
        Location = strings.Share(profile.Location),
        TimeZone = strings.Share(profile.TimeZone),
        Language = strings.Share(profile.Language),
        Skills = strings.Share(profile.Skills),
    };

    private UserSnapshot Snapshot() => new(
        UserId,
        state.State.Profile!,
        state.State.Following.Count,
        state.State.CreatedAt,
        state.State.UpdatedAt);
}
