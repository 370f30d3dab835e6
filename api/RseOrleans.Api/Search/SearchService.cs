using Grpc.Core;
using RseOrleans.Api.Access;
using RseOrleans.Api.Errors;
using RseOrleans.Api.Hydration;
using RseOrleans.Api.Identity;
using RseOrleans.Api.Mapping;
using RseOrleans.Api.Paging;
using RseOrleans.Api.Reads;
using RseOrleans.Api.Validation;
using RseOrleans.Api.V1;
using RseOrleans.Grains;
using RseOrleans.Model;
using RseOrleans.Search;
using IndexSuggestionKind = RseOrleans.Search.SuggestionKind;
using SuggestionKind = RseOrleans.Api.V1.SuggestionKind;

namespace RseOrleans.Api.Search;

/// <summary>
/// rse.v1.Search. The index proposes candidates; every one is checked here against the live rules
/// of <see cref="AccessPolicy"/>, the very checks the feeds use, before anything of it is shown:
/// a result, a highlight or a suggestion only ever comes from something the caller may read now.
/// No answer carries a count. Pages are positions in the ranked candidates, so a page may come out
/// shorter than asked when candidates were left out; the token still moves on.
/// </summary>
public sealed class SearchService(
    IGrainFactory grains,
    CallerIdentity identity,
    AccessPolicy access,
    GrainReads reads,
    PostHydrator hydrator,
    ISearchIndex index,
    ReadableHits readable,
    ExpertFinder experts,
    NewcomerSuggestions newcomers,
    IEnumerable<ISearchRebuild> rebuilds) : V1.Search.SearchBase
{
    private const string PostsToken = "search-posts";
    private const string PeopleToken = "search-people";
    private const string GroupsToken = "search-groups";
    private const int MaxSuggestions = 10;

    public override async Task<RebuildSearchIndexResponse> RebuildSearchIndex(RebuildSearchIndexRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAccountAsync(context);
        AccessPolicy.RequireNetworkAdmin(caller, "rebuild the search index");
        var rebuild = rebuilds.FirstOrDefault()
            ?? throw Fail.Precondition("The embedded search index has nothing to rebuild from: it is filled again as the network is written to. Rebuilding is for durable mode.");
        var report = await IndexCalls.OrUnavailable(() => rebuild.RebuildAsync(context.CancellationToken));
        return new RebuildSearchIndexResponse { People = report.People, Groups = report.Groups, Activities = report.Activities };
    }

    public override async Task<SearchPostsResponse> SearchPosts(SearchPostsRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAsync(context);
        var parsed = SearchQuerySyntax.Parse(request.Query);
        var pageSize = Require.PageSize(request.PageSize);
        var start = Position(request.PageToken, PostsToken);
        var query = parsed.Query with { Scope = await readable.ScopeOfAsync(caller), Highlighted = false };
        if (parsed.BookmarkedOnly)
        {
            var bookmarks = await grains.GetGrain<IBookmarksGrain>(caller).GetAll();
            query = query with { AmongPosts = bookmarks.Select(b => b.PostId).ToHashSet() };
        }

        var response = new SearchPostsResponse();
        var shownPosts = new HashSet<long>();
        var page = await RankedPages.ReadAsync<ContentHit, ShownHit>(
            start,
            pageSize,
            limit => IndexCalls.OrUnavailable(() => index.SearchContentAsync(query, limit, context.CancellationToken)),
            (batch, wanted) => readable.ShownInOrderAsync(batch, wanted, caller, shownPosts));
        var highlighted = IndexCalls.OrUnavailable(() => index.HighlightAsync(query, [.. page.Items.Select(item => item.Hit)], context.CancellationToken));
        var posts = await hydrator.HydrateAllAsync([.. page.Items.Select(item => item.Post)], caller);
        var hits = await highlighted;
        response.Hits.AddRange(page.Items.Select((item, i) => new PostHit
        {
            Post = posts[i],
            CommentId = item.Hit.CommentId == 0 ? "" : item.Hit.CommentId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Highlight = hits[i].Highlight,
        }));
        response.NextPageToken = PageToken.Next(PostsToken, page.Next);
        return response;
    }

    public override async Task<SearchPeopleResponse> SearchPeople(SearchPeopleRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAsync(context);
        var query = new PeopleQuery
        {
            Text = Bounded(request.Query, "query"),
            Title = Bounded(request.Title, "title"),
            Department = Bounded(request.Department, "department"),
            Location = Bounded(request.Location, "location"),
            Language = Bounded(request.Language, "language"),
            Skill = Bounded(request.Skill, "skill"),
        };
        if (string.IsNullOrWhiteSpace(query.Text) && new[] { query.Title, query.Department, query.Location, query.Language, query.Skill }.All(string.IsNullOrWhiteSpace))
        {
            throw Fail.Invalid("query", "is empty and no filter is set: give words or one of title, department, location, language, skill.");
        }

        var pageSize = Require.PageSize(request.PageSize);
        var start = Position(request.PageToken, PeopleToken);
        var page = await RankedPages.ReadAsync<string, UserSnapshot>(
            start,
            pageSize,
            limit => IndexCalls.OrUnavailable(() => index.SearchPeopleAsync(query, limit, context.CancellationToken)),
            async (batch, _) =>
            {
                var visible = await access.VisibleAmong(caller, batch);
                var users = await hydrator.LoadUsersAsync(batch.Where(visible.Contains));
                return [.. batch.Select(id => users.TryGetValue(id, out var user) ? user : null)];
            });
        var response = new SearchPeopleResponse { NextPageToken = PageToken.Next(PeopleToken, page.Next) };
        response.People.AddRange(page.Items.Select(user => new PersonHit
        {
            User = ProtoMapper.ToSummary(user.UserId, user),
            Location = user.Profile.Location,
            Skills = { user.Profile.Skills },
        }));
        return response;
    }

    public override async Task<SearchGroupsResponse> SearchGroups(SearchGroupsRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAsync(context);
        var text = Bounded(request.Query, "query");
        Model.GroupVisibility? visibility = request.Visibility == V1.GroupVisibility.Unspecified ? null : ProtoMapper.ToDomain(Require.Defined(request.Visibility, "visibility"));
        if (request.MinMembers < 0)
        {
            throw Fail.Invalid("min_members", "must not be negative.");
        }

        if (request.MaxMembers < 0 || (request.MaxMembers > 0 && request.MaxMembers < request.MinMembers))
        {
            throw Fail.Invalid("max_members", "must be 0 (no bound) or at least min_members.");
        }

        if (string.IsNullOrWhiteSpace(text) && visibility is null && !request.JoinedOnly && request.MinMembers == 0 && request.MaxMembers == 0)
        {
            throw Fail.Invalid("query", "is empty and no filter is set: give words, a visibility, joined_only or a size.");
        }

        var pageSize = Require.PageSize(request.PageSize);
        var start = Position(request.PageToken, GroupsToken);
        var query = new GroupQuery(text, visibility?.ToString().ToLowerInvariant())
        {
            AmongGroups = request.JoinedOnly ? (await grains.GetGrain<IUserGrain>(caller).GetGroupIds()).ToHashSet(StringComparer.Ordinal) : null,
        };
        var page = await RankedPages.ReadAsync<string, V1.Group>(
            start,
            pageSize,
            limit => IndexCalls.OrUnavailable(() => index.SearchGroupsAsync(query, limit, context.CancellationToken)),
            async (batch, _) =>
            {
                var found = await Task.WhenAll(batch.Select(async id => (Access: await access.GetGroupAccess(id, caller), Group: await reads.GetGroup(id))));
                return [.. found.Select(f =>
                    f.Group is { } group && f.Access.IsVisible
                    && (visibility is null || f.Access.Visibility == visibility)
                    && (!request.JoinedOnly || f.Access.IsMember)
                    && group.MemberCount >= request.MinMembers
                    && (request.MaxMembers == 0 || group.MemberCount <= request.MaxMembers)
                        ? ProtoMapper.ToProto(group, f.Access)
                        : null)];
            });
        var response = new SearchGroupsResponse { NextPageToken = PageToken.Next(GroupsToken, page.Next) };
        response.Groups.AddRange(page.Items);
        return response;
    }

    public override async Task<SuggestResponse> Suggest(SuggestRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAsync(context);
        var prefix = request.Prefix.Trim();
        if (prefix.Length is 0 or > 100)
        {
            throw Fail.Invalid("prefix", "must be 1 to 100 characters.");
        }

        var limit = request.Limit switch
        {
            0 => MaxSuggestions,
            < 0 or > MaxSuggestions => throw Fail.Invalid("limit", $"must be 1 to {MaxSuggestions} (0 means {MaxSuggestions})."),
            _ => request.Limit,
        };

        // More than asked of each kind: some are left out below.
        var candidates = await IndexCalls.OrUnavailable(() => index.SuggestAsync(prefix, limit * 3, context.CancellationToken));
        var shown = await ShownSuggestionsAsync(candidates, caller);

        // Taken in turn from each kind, so that neither people nor groups nor topics crowd the others out.
        var byKind = shown.GroupBy(s => s.Kind).Select(g => new Queue<IndexSuggestion>(g)).ToList();
        var response = new SuggestResponse();
        while (response.Suggestions.Count < limit && byKind.Any(q => q.Count > 0))
        {
            foreach (var queue in byKind.Where(q => q.Count > 0))
            {
                if (response.Suggestions.Count == limit)
                {
                    break;
                }

                var s = queue.Dequeue();
                response.Suggestions.Add(new Suggestion
                {
                    Kind = s.Kind switch
                    {
                        IndexSuggestionKind.Person => SuggestionKind.Person,
                        IndexSuggestionKind.Group => SuggestionKind.Group,
                        _ => SuggestionKind.Topic,
                    },
                    Id = s.Id,
                    Label = s.Label,
                });
            }
        }

        return response;
    }

    public override async Task<FindExpertsResponse> FindExperts(FindExpertsRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAsync(context);
        var topic = request.Topic.Trim();
        if (topic.Length is 0 or > 100)
        {
            throw Fail.Invalid("topic", "must be 1 to 100 characters: a skill or a topic, as in kubernetes or #onboarding.");
        }

        var response = new FindExpertsResponse();
        response.Experts.AddRange(await experts.FindAsync(caller, topic, Require.PageSize(request.PageSize), context.CancellationToken));
        return response;
    }

    public override async Task<SuggestForNewcomerResponse> SuggestForNewcomer(SuggestForNewcomerRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAsync(context);
        var limit = request.Limit switch
        {
            0 => MaxSuggestions,
            < 0 or > MaxSuggestions => throw Fail.Invalid("limit", $"must be 1 to {MaxSuggestions} (0 means {MaxSuggestions})."),
            _ => request.Limit,
        };
        var profile = (await reads.GetUser(caller))?.Profile ?? throw Fail.NotFound($"user_id: no user '{caller}'.");
        var response = new SuggestForNewcomerResponse();
        response.Groups.AddRange(await newcomers.GroupsAsync(caller, profile, limit, context.CancellationToken));
        response.People.AddRange(await newcomers.PeopleAsync(caller, profile, limit, context.CancellationToken));
        return response;
    }

    /// <summary>
    /// The suggestions the caller may see: people they may see, groups visible to them, and
    /// topics carried by a recent post they may read (a topic of a secret group alone stays unsaid).
    /// </summary>
    private async Task<List<IndexSuggestion>> ShownSuggestionsAsync(IReadOnlyList<IndexSuggestion> candidates, string caller)
    {
        var people = candidates.Where(s => s.Kind == IndexSuggestionKind.Person).Select(s => s.Id).ToArray();
        var visiblePeople = await access.VisibleAmong(caller, people);
        var users = await hydrator.LoadUsersAsync(people.Where(visiblePeople.Contains));
        var groups = candidates.Where(s => s.Kind == IndexSuggestionKind.Group).Select(s => s.Id).Distinct().ToArray();
        var groupAccess = await Task.WhenAll(groups.Select(id => access.GetGroupAccess(id, caller)));
        var visibleGroups = groups.Where((_, i) => groupAccess[i].IsVisible).ToHashSet(StringComparer.Ordinal);
        // A topic's posts are judged by where they were written (group, author, hidden or not),
        // which wakes no post: a typeahead must not load a hundred posts to name ten topics.
        var topicPosts = candidates.Where(s => s.Kind == IndexSuggestionKind.Topic).SelectMany(s => s.RecentPosts)
            .Select(post => new PostOrigin(post.PostId, post.AuthorId, post.GroupId)).Distinct().ToArray();
        var readablePosts = await access.ReadableAmong(caller, topicPosts);

        return [.. candidates.Where(s => s.Kind switch
        {
            IndexSuggestionKind.Person => users.TryGetValue(s.Id, out var user) && user is not null,
            IndexSuggestionKind.Group => visibleGroups.Contains(s.Id),
            _ => s.RecentPosts.Any(post => readablePosts.Contains(post.PostId)),
        })];
    }

    private static long Position(string token, string kind) => PageToken.DecodeNumber(token, kind) is { } position and >= 0
        ? position
        : token.Length == 0 ? 0 : throw Fail.Invalid("page_token", "is not a token of this search.");

    private static string Bounded(string value, string field) =>
        value.Length <= SearchQuerySyntax.MaxQueryLength ? value : throw Fail.Invalid(field, $"must be at most {SearchQuerySyntax.MaxQueryLength} characters.");
}
