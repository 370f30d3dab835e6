using System.IO.Hashing;
using System.Text;
using RseOrleans.Grains.Durability;
using RseOrleans.Grains.Events;
using RseOrleans.Grains.Infrastructure;
using RseOrleans.Grains.Repair;
using RseOrleans.Model;

namespace RseOrleans.Grains.Groups;

/// <summary>
/// Settings, members, roles and join requests of one group: the owner of membership and roles.
/// The members are kept apart from <see cref="GroupState"/> (<see cref="GroupMembers"/>), one row
/// per member in durable mode. Every membership change goes through here and also updates the
/// derived copies (the group source's audience, the member's feed subscription and group list), so
/// a member who leaves stops seeing the group's posts at once.
/// </summary>
/// <remarks>
/// Over 300 lines: one method per membership call, each with its checks and audit; the rules on
/// members are in <see cref="GroupMembers"/>, the repair of their copies in DerivedCopies.
/// </remarks>
[GrainType("group")]
public sealed class GroupGrain(
    [PersistentState("group", StorageNames.Main)] IPersistentState<GroupState> state,
    IMemberSetStore memberStore,
    LocalReadModel readModel,
    EngineEvents events,
    TimeProvider clock) : Grain, IGroupGrain, IPublishesLocally, IHasPublishedValue<GroupSnapshot>, IRemindable
{
    // Audit keys of admin actions; retries themselves are the API's (see IRequestLedgerGrain).
    private const string ApproveOperation = "approve";
    private const string DeclineOperation = "decline";
    private const string AddMemberOperation = "add-member";
    private const string AddMembersOperation = "add-members";
    private const string RemoveMemberOperation = "remove-member";
    private const string SetRoleOperation = "set-role";
    private const string EraseMemberOperation = "erase-member";

    private GroupMembers members = null!;

    // A group changes rarely: the reminder is set before each change that tells something, so a silo dying during the hand-on leaves its events under it.
    private const ReminderUse EventsReminder = ReminderUse.BeforeStoring;

    private EventOutbox<GroupState>? outbox;

    // Membership events, told once the group's own write that follows the member rows' stores them.
    private List<EngineEvent>? told;

    private string GroupId => this.GetPrimaryKeyString();

    private SourceId Source => SourceId.Group(GroupId);

    // Published once someone reads the group's snapshot (group names in hydrated pages).
    private LocalPublication<string, GroupSnapshot>? publication;

    private LocalPublication<string, GroupSnapshot> Published => publication ??=
        new LocalPublication<string, GroupSnapshot>(readModel.Groups, GroupId, this);

    ILocalPublication IPublishesLocally.Publication => Published;

    GroupSnapshot? IHasPublishedValue<GroupSnapshot>.PublishedValue() => state.State.Spec is null ? null : Snapshot();

    private EventOutbox<GroupState> Outbox => outbox ??= events.OutboxOf(this, state, EventsReminder);

    public Task ReceiveReminder(string reminderName, TickStatus status) => Outbox.ReceiveReminder(reminderName);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        members = await GroupMembers.LoadAsync(memberStore, Source.Key);
        outbox = events.ResumeOutboxOf(this, state, EventsReminder);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        Published.Stop();
        return Task.CompletedTask;
    }

    public async Task<GroupSnapshot> Create(string creatorId, GroupSpec spec, string requestId)
    {
        if (state.State.Spec is not null)
        {
            return state.State.CreatedBy == creatorId && state.State.CreatedByRequest == requestId
                ? Snapshot()
                : throw new DomainException(DomainError.AlreadyExists, $"group_id: a group '{GroupId}' already exists.");
        }

        state.State.Spec = spec;
        state.State.CreatedBy = creatorId;
        state.State.CreatedByRequest = requestId;
        state.State.CreatedAt = clock.GetUtcNow();
        await AddMemberCore(creatorId, GroupRole.Owner);
        Tell(EngineEvent.Of(EngineEventKind.GroupCreated, GroupId, creatorId, state.State.CreatedAt));
        await WriteStateAsync();
        return Snapshot();
    }

    public Task<GroupSnapshot?> Get()
    {
        Published.MarkRead();
        return Task.FromResult(state.State.Spec is null ? null : Snapshot());
    }

    public Task<GroupAccess> GetAccess(string userId)
    {
        if (state.State.Spec is not { } spec)
        {
            return Task.FromResult(GroupAccess.Missing);
        }

        return Task.FromResult(new GroupAccess(
            Exists: true,
            spec.Visibility,
            spec.PostingPolicy,
            RoleOf(userId),
            state.State.JoinRequests.ContainsKey(userId),
            spec.Name));
    }

    public async Task<JoinOutcome> Join(string userId)
    {
        var spec = RequireVisibleTo(userId);

        JoinOutcome outcome;
        if (members.Contains(userId) || spec.Visibility == GroupVisibility.Open)
        {
            await AddMemberCore(userId, GroupRole.Member);
            outcome = JoinOutcome.Joined;
        }
        else
        {
            // The user notes it first: erasing them must find every request they made.
            await User(userId).NoteJoinRequest(GroupId, pending: true);
            state.State.JoinRequests.TryAdd(userId, clock.GetUtcNow());
            outcome = JoinOutcome.Requested;
        }

        await WriteStateAsync();
        return outcome;
    }

    public async Task Leave(string userId)
    {
        RequireVisibleTo(userId);

        var withdrawn = state.State.JoinRequests.Remove(userId);
        if (!withdrawn)
        {
            if (!members.Contains(userId))
            {
                throw DomainException.Precondition($"User '{userId}' is not a member of group '{GroupId}'.");
            }

            members.EnsureAnotherOwnerRemains(userId);
            await RemoveMemberCore(userId);
        }

        await WriteStateAsync();
        if (withdrawn)
        {
            await User(userId).NoteJoinRequest(GroupId, pending: false);
        }
    }

    public async Task<GroupMember> ApproveJoinRequest(string actorId, string userId, string requestId)
    {
        RequireAdmin(actorId);
        if (!members.Contains(userId))
        {
            if (!state.State.JoinRequests.ContainsKey(userId))
            {
                throw DomainException.NotFound($"A join request of user '{userId}'");
            }

            await AddMemberCore(userId, GroupRole.Member);
            await WriteStateAsync();
        }

        var approved = members.TryGet(userId, out var member) ? member : throw DomainException.NotFound($"Member '{userId}'");
        await AuditAsync(ApproveOperation, actorId, requestId, AuditActions.ApproveJoinRequest, userId, "");
        return approved;
    }

    public async Task DeclineJoinRequest(string actorId, string userId, string requestId)
    {
        RequireAdmin(actorId);
        if (!state.State.JoinRequests.Remove(userId))
        {
            throw DomainException.NotFound($"A join request of user '{userId}'");
        }

        await WriteStateAsync();
        await User(userId).NoteJoinRequest(GroupId, pending: false);

        await AuditAsync(DeclineOperation, actorId, requestId, AuditActions.DeclineJoinRequest, userId, "");
    }

    public Task<IReadOnlyList<JoinRequest>> ListJoinRequests(string actorId)
    {
        RequireAdmin(actorId);
        IReadOnlyList<JoinRequest> requests = state.State.JoinRequests
            .OrderBy(request => request.Value)
            .ThenBy(request => request.Key, StringComparer.Ordinal)
            .Select(request => new JoinRequest(request.Key, request.Value))
            .ToArray();
        return Task.FromResult(requests);
    }

    public async Task<GroupMember> AddMember(string actorId, string userId, string requestId)
    {
        RequireAdmin(actorId);
        if (await AddMemberCore(userId, GroupRole.Member) > 0)
        {
            await WriteStateAsync();
        }

        var added = members.TryGet(userId, out var member) ? member : throw DomainException.NotFound($"Member '{userId}'");
        await AuditAsync(AddMemberOperation, actorId, requestId, AuditActions.AddMember, userId, "");
        return added;
    }

    public async Task<int> AddMembers(string actorId, IReadOnlyCollection<string> userIds, string requestId)
    {
        RequireAdmin(actorId);
        // No RPC reaches this (a directory sync calls it): it records its outcome in the actor's
        // request ledger itself, as the API's interceptor does for every mutating call.
        var ledger = GrainFactory.GetGrain<IRequestLedgerGrain>(actorId);
        var request = XxHash3.HashToUInt64(Encoding.UTF8.GetBytes($"{GroupId}\n{AddMembersOperation}\n{requestId}"));
        var fingerprint = XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(string.Join('\n', userIds.Order(StringComparer.Ordinal))));
        var answer = await ledger.Begin(request, fingerprint);
        switch (answer.Verdict)
        {
            case LedgerVerdict.Replay:
                return BitConverter.ToInt32(answer.Response!);
            case LedgerVerdict.Mismatch:
                throw DomainException.Invalid("request_id", $"'{requestId}' was already used for adding other members.");
            case LedgerVerdict.Running:
                throw DomainException.Unavailable("A call with this request_id is still running; retry later with the same request_id.");
        }

        int added;
        try
        {
            added = await AddMembersCore(userIds, GroupRole.Member);
            if (added > 0)
            {
                await WriteStateAsync();
            }
        }
        catch (Exception ex) when (ex is DomainException || StorageFailures.IsUnavailable(ex))
        {
            await ledger.Abandon(request, fingerprint);
            throw;
        }

        await ledger.Complete(request, fingerprint, BitConverter.GetBytes(added));
        await AuditAsync(AddMembersOperation, actorId, requestId, AuditActions.AddMember, "", $"{added} members added in one batch");
        return added;
    }

    public async Task RemoveMember(string actorId, string userId, string requestId)
    {
        var actorRole = RequireAdmin(actorId);

        if (!members.TryGet(userId, out var member))
        {
            throw DomainException.NotFound($"Member '{userId}' of group '{GroupId}'");
        }

        if (member.Role >= actorRole && actorRole != GroupRole.Owner)
        {
            throw DomainException.Denied("Admins may remove members only; owners may remove anyone.");
        }

        members.EnsureAnotherOwnerRemains(userId);
        await RemoveMemberCore(userId, removedBy: actorId);
        await WriteStateAsync();
        await AuditAsync(RemoveMemberOperation, actorId, requestId, AuditActions.RemoveMember, userId, "");
    }

    public async Task<GroupMember> SetRole(string actorId, string userId, GroupRole role, string requestId)
    {
        RequireVisibleTo(actorId);
        if (RoleOf(actorId) != GroupRole.Owner)
        {
            throw DomainException.Denied("Only the group's owners change roles.");
        }

        if (role == GroupRole.None)
        {
            throw DomainException.Invalid("role", "must be member, moderator, admin or owner.");
        }

        if (!members.TryGet(userId, out var member))
        {
            throw DomainException.NotFound($"Member '{userId}' of group '{GroupId}'");
        }

        if (member.Role != role)
        {
            if (role < GroupRole.Owner)
            {
                members.EnsureAnotherOwnerRemains(userId);
            }

            members.SetRole(userId, role);
            await members.SaveAsync();
            await WriteStateAsync();
        }

        await AuditAsync(SetRoleOperation, actorId, requestId, AuditActions.SetMemberRole, userId, members[userId].Role.ToString().ToLowerInvariant());
        return members[userId];
    }

    public Task<MemberPage> ListMembers(string? after, int pageSize) => Task.FromResult(members.Page(after, pageSize));

    public Task<string[]> GetMemberIds() => Task.FromResult(members.Ids.ToArray());

    public Task<UserMembership?> GetMembershipOf(string userId)
    {
        var member = members.TryGet(userId, out var found) ? found : null;
        DateTimeOffset? requestedAt = state.State.JoinRequests.TryGetValue(userId, out var at) ? at : null;
        return Task.FromResult(state.State.Spec is { } spec && (member is not null || requestedAt is not null)
            ? new UserMembership(GroupId, spec.Name, member?.Role ?? GroupRole.None, member?.JoinedAt, requestedAt)
            : null);
    }

    public async Task<MemberErasure> EraseMember(string userId, string actorId, string requestId)
    {
        var droppedRequest = state.State.JoinRequests.Remove(userId);
        var wasMember = members.Contains(userId);

        // A group with members keeps an owner: the most trusted, then the longest-standing.
        var newOwner = wasMember ? members.SuccessorOf(userId) : null;
        if (newOwner is not null)
        {
            members.SetRole(newOwner, GroupRole.Owner);
        }

        if (wasMember)
        {
            await RemoveMemberCore(userId);
        }

        var wasCreator = state.State.CreatedBy == userId;
        if (wasCreator)
        {
            state.State.CreatedBy = "";
        }

        if (droppedRequest || wasMember || wasCreator)
        {
            await WriteStateAsync();
        }

        if (droppedRequest)
        {
            await User(userId).NoteJoinRequest(GroupId, pending: false);
        }

        if (newOwner is not null)
        {
            await AuditAsync(EraseMemberOperation, actorId, requestId, AuditActions.SetMemberRole, newOwner, $"owner, succeeding erased user {userId}");
        }

        return new MemberErasure(wasMember, droppedRequest, newOwner);
    }

    public async Task<PostingRefusal?[]> CheckPostingRight(string[] authorIds)
    {
        var refusals = new PostingRefusal?[authorIds.Length];
        for (var i = 0; i < authorIds.Length; i++)
        {
            refusals[i] = await PostingRefusalOf(authorIds[i]);
        }

        return refusals;
    }

    public Task<RepairReport> RepairDerivedCopies()
    {
        if (state.State.Spec is null)
        {
            throw DomainException.NotFound($"Group '{GroupId}'");
        }

        return new DerivedCopies(GrainFactory).RepairGroupAsync(
            Source,
            members.Ids.ToHashSet(StringComparer.Ordinal),
            [.. state.State.JoinRequests.Keys]);
    }

    /// <summary>
    /// A group secret to the author (secret and not theirs, or, for a guest, any group not theirs)
    /// is NOT_FOUND, word for word as a missing one, as everywhere in the API; otherwise a
    /// non-member, or a mere member of an announcement channel, is refused.
    /// </summary>
    private async Task<PostingRefusal?> PostingRefusalOf(string userId)
    {
        var notFound = new PostingRefusal(DomainError.NotFound, $"Group '{GroupId}' was not found.");
        if (state.State.Spec is not { } spec)
        {
            return notFound;
        }

        var role = RoleOf(userId);
        if (role == GroupRole.None)
        {
            var isGuest = spec.Visibility != GroupVisibility.Secret
                && (await User(userId).GetAccount()).Role == NetworkRole.Guest;
            return spec.Visibility == GroupVisibility.Secret || isGuest
                ? notFound
                : new PostingRefusal(DomainError.PermissionDenied, $"Only members post in group '{GroupId}'; join it first.");
        }

        return spec.PostingPolicy == PostingPolicy.AdminsOnly && role < GroupRole.Admin
            ? new PostingRefusal(DomainError.PermissionDenied, $"Group '{GroupId}' is an announcement channel: only its owners and admins post.")
            : null;
    }

    private IUserGrain User(string userId) => GrainFactory.GetGrain<IUserGrain>(userId);

    private Task<int> AddMemberCore(string userId, GroupRole role) => AddMembersCore([userId], role);

    /// <summary>Adds the users not yet members: one audience write, their feeds subscribed in parallel.</summary>
    private async Task<int> AddMembersCore(IReadOnlyCollection<string> userIds, GroupRole role)
    {
        var newcomers = userIds.Where(userId => !members.Contains(userId)).Distinct(StringComparer.Ordinal).ToArray();
        if (newcomers.Length == 0)
        {
            return 0;
        }

        var recent = await GrainFactory.GetGrain<ISourceGrain>(Source.Key).AddAudience(newcomers);
        foreach (var batch in newcomers.Chunk(256))
        {
            await Task.WhenAll(batch.Select(async userId =>
            {
                await GrainFactory.GetGrain<IFeedGrain>(userId).AddSource(Source, recent);
                await GrainFactory.GetGrain<IUserGrain>(userId).NoteMembership(GroupId, isMember: true);
            }));
        }

        var now = clock.GetUtcNow();
        foreach (var userId in newcomers)
        {
            members.Add(userId, role, now);
            state.State.JoinRequests.Remove(userId);
        }

        // One row per newcomer in durable mode; the caller writes the group's own state next.
        await members.SaveAsync();
        Tell([.. newcomers.Select(userId => EngineEvent.Of(EngineEventKind.MemberJoined, GroupId, userId, now) with { UserId = userId })]);
        return newcomers.Length;
    }

    /// <summary>Takes the member out; <paramref name="removedBy"/> is the admin who removed them, null when they left.</summary>
    private async Task RemoveMemberCore(string userId, string? removedBy = null)
    {
        // The feed first: from this moment on the member sees nothing more of the group.
        await GrainFactory.GetGrain<IFeedGrain>(userId).RemoveSource(Source);
        await GrainFactory.GetGrain<ISourceGrain>(Source.Key).RemoveAudience(userId);
        await GrainFactory.GetGrain<IUserGrain>(userId).NoteMembership(GroupId, isMember: false);
        members.Remove(userId);
        await members.SaveAsync();
        var left = removedBy is null
            ? EngineEvent.Of(EngineEventKind.MemberLeft, GroupId, userId, clock.GetUtcNow())
            : EngineEvent.Of(EngineEventKind.MemberRemoved, GroupId, removedBy, clock.GetUtcNow());
        Tell(left with { UserId = userId });
    }

    private void Tell(params IReadOnlyList<EngineEvent> happened) => (told ??= []).AddRange(happened);

    /// <summary>
    /// Writes the group's own state with the membership events told since the last write in its
    /// outbox. The member rows are stored first (see <see cref="GroupMembers"/>): a silo lost
    /// between the two writes loses these events, never the membership.
    /// </summary>
    private Task WriteStateAsync()
    {
        IReadOnlyList<EngineEvent> happened = told ?? [];
        told = null;
        return Outbox.WriteAsync(happened);
    }

    /// <summary>
    /// Reports an admin action after its state is saved; a retry reports it again with the same
    /// key, which the log keeps once, so a failure between the two is repaired by retrying.
    /// </summary>
    private Task AuditAsync(string operation, string actorId, string requestId, string action, string targetUserId, string detail) =>
        GrainFactory.GetGrain<IAuditLogGrain>(IAuditLogGrain.NetworkKey).Record(
            new AuditRecord($"group:{GroupId}|{operation}|{actorId}|{requestId}", actorId, action, targetUserId, GroupId, detail));

    private GroupRole RoleOf(string userId) => members.RoleOf(userId);

    /// <summary>A secret group does not exist for non-members: same answer as a missing group.</summary>
    private GroupSpec RequireVisibleTo(string userId)
    {
        if (state.State.Spec is not { } spec || (spec.Visibility == GroupVisibility.Secret && !members.Contains(userId)))
        {
            throw DomainException.NotFound($"Group '{GroupId}'");
        }

        return spec;
    }

    private GroupRole RequireAdmin(string actorId)
    {
        RequireVisibleTo(actorId);
        var role = RoleOf(actorId);
        return role >= GroupRole.Admin
            ? role
            : throw DomainException.Denied("Only the group's owners and admins manage its members.");
    }

    private GroupSnapshot Snapshot() => new(GroupId, state.State.Spec!, members.Count, state.State.CreatedBy, state.State.CreatedAt);
}
