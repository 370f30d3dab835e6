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
public sealed class SearchService(IGrainFactory grains, CallerIdentity identity, AccessPolicy access, GrainReads reads, PostHydrator hydrator, ISearchIndex index, IEnumerable<ISearchRebuild> rebuilds) : V1.Search.SearchBase
{
    private const string PostsToken = "search-posts";
    private const string PeopleToken = "search-people";
    private const string GroupsToken = "search-groups";
    private const int MaxSuggestions = 10;

    /// <summary>Rounds of candidates one page reads at most before it answers with what it has.</summary>
    private const int MaxRounds = 4;

    public override async Task<RebuildSearchIndexResponse> RebuildSearchIndex(RebuildSearchIndexRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAccountAsync(context);
        AccessPolicy.RequireNetworkAdmin(caller, "rebuild the search index");
        var rebuild = rebuilds.FirstOrDefault()
            ?? throw Fail.Precondition("The embedded search index has nothing to rebuild from: it is filled again as the network is written to. Rebuilding is for durable mode.");
        var report = await Unavailable(() => rebuild.RebuildAsync(context.CancellationToken));
        return new RebuildSearchIndexResponse { People = report.People, Groups = report.Groups, Activities = report.Activities };
    }

    public override async Task<SearchPostsResponse> SearchPosts(SearchPostsRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAsync(context);
        var parsed = SearchQuerySyntax.Parse(request.Query);
        var pageSize = Require.PageSize(request.PageSize);
        var start = Position(request.PageToken, PostsToken);
        var query = parsed.Query with { Scope = await ScopeOfAsync(caller) };
        if (parsed.BookmarkedOnly)
        {
            var bookmarks = await grains.GetGrain<IBookmarksGrain>(caller).GetAll();
            query = query with { AmongPosts = bookmarks.Select(b => b.PostId).ToHashSet() };
        }

        var response = new SearchPostsResponse();
        var shownPosts = new HashSet<long>();
        var page = await PageAsync<ContentHit, ShownHit>(
            start,
            pageSize,
            limit => Unavailable(() => index.SearchContentAsync(query, limit, context.CancellationToken)),
            (batch, wanted) => ShownInOrderAsync(batch, wanted, caller, shownPosts));
        var posts = await Task.WhenAll(page.Items.Select(item => hydrator.HydrateAsync(item.Post, caller)));
        response.Hits.AddRange(page.Items.Select((item, i) => new PostHit
        {
            Post = posts[i],
            CommentId = item.Hit.CommentId == 0 ? "" : item.Hit.CommentId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Highlight = item.Hit.Highlight,
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
        var page = await PageAsync<string, UserSnapshot>(
            start,
            pageSize,
            limit => Unavailable(() => index.SearchPeopleAsync(query, limit, context.CancellationToken)),
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
        var page = await PageAsync<string, V1.Group>(
            start,
            pageSize,
            limit => Unavailable(() => index.SearchGroupsAsync(query, limit, context.CancellationToken)),
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
        var candidates = await Unavailable(() => index.SuggestAsync(prefix, limit * 3, context.CancellationToken));
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

        var pageSize = Require.PageSize(request.PageSize);
        var name = topic.TrimStart('#');
        var words = name.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var content = topic.StartsWith('#') ? new ContentQuery { Hashtags = [name] }
            : words.Length > 1 ? new ContentQuery { Phrases = [name] }
            : new ContentQuery { Words = words };
        content = content with { Scope = await ScopeOfAsync(caller) };
        var declared = Unavailable(() => index.SearchPeopleAsync(new PeopleQuery { Skill = name }, ExpertCandidates, context.CancellationToken));
        var hits = await Unavailable(() => index.SearchContentAsync(content, ExpertCandidates, context.CancellationToken));

        // What they did counts only where the caller may read it: no count reveals a secret group's content.
        var shown = await ShownAsync(hits, caller);
        var deeds = new Dictionary<string, (int Posts, int Answers, int Reactions)>(StringComparer.Ordinal);
        foreach (var (hit, post) in shown)
        {
            var (posts, answers, reactions) = deeds.GetValueOrDefault(hit.AuthorId);
            deeds[hit.AuthorId] = hit.CommentId == 0
                ? (posts + 1, answers, reactions + post.ReactionCounts.Values.Sum())
                : (posts, answers + 1, reactions);
        }

        var declaring = (await declared).ToHashSet(StringComparer.Ordinal);
        var candidates = declaring.Concat(deeds.Keys).Distinct(StringComparer.Ordinal).ToArray();
        var visible = await access.VisibleAmong(caller, candidates);
        var users = await hydrator.LoadUsersAsync(candidates.Where(visible.Contains));
        var experts = users
            .Where(user => user.Value is not null)
            .Select(user =>
            {
                var (posts, answers, reactions) = deeds.GetValueOrDefault(user.Key);
                var isDeclared = declaring.Contains(user.Key);
                // A declared skill weighs as much as a few posts; what people did adds up beyond it.
                var score = (isDeclared ? 10.0 : 0) + 3.0 * posts + 2.0 * answers + Math.Sqrt(reactions);
                return (Score: score, Expert: new Expert
                {
                    User = ProtoMapper.ToSummary(user.Key, user.Value),
                    DeclaredSkill = isDeclared,
                    PostsOnTopic = posts,
                    AnswersOnTopic = answers,
                    ReactionsReceived = reactions,
                    Reason = Reason(isDeclared, posts, answers, reactions),
                });
            })
            .OrderByDescending(x => x.Score)
            .ThenBy(x => x.Expert.User.UserId, StringComparer.Ordinal)
            .Take(pageSize);
        var response = new FindExpertsResponse();
        response.Experts.AddRange(experts.Select(x => x.Expert));
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
        var self = grains.GetGrain<IUserGrain>(caller);
        var joined = (await self.GetGroupIds()).ToHashSet(StringComparer.Ordinal);
        var followed = (await self.ListFollowing(null, NewcomerCandidates)).Ids.ToHashSet(StringComparer.Ordinal);
        var response = new SuggestForNewcomerResponse();
        response.Groups.AddRange(await NewcomerGroupsAsync(caller, profile, joined, limit, context.CancellationToken));
        response.People.AddRange(await NewcomerPeopleAsync(caller, profile, followed, limit, context.CancellationToken));
        return response;
    }

    /// <summary>How many candidates of each source a newcomer's suggestions weigh at most.</summary>
    private const int NewcomerCandidates = 100;

    /// <summary>
    /// Groups about their department, then about their office, then the largest open groups (the
    /// company-wide channels); each only when the caller may see it and is not in it yet.
    /// </summary>
    private async Task<IEnumerable<GroupSuggestion>> NewcomerGroupsAsync(string caller, UserProfile profile, HashSet<string> joined, int limit, CancellationToken cancellation)
    {
        var candidates = new List<(string Id, string Reason)>();
        if (profile.Department.Trim().Length > 0)
        {
            var ids = await Unavailable(() => index.SearchGroupsAsync(new GroupQuery(profile.Department, null), limit * 3, cancellation));
            candidates.AddRange(ids.Select(id => (id, "about your department")));
        }

        if (profile.Location.Trim().Length > 0)
        {
            var ids = await Unavailable(() => index.SearchGroupsAsync(new GroupQuery(profile.Location, null), limit * 3, cancellation));
            candidates.AddRange(ids.Select(id => (id, "about your office")));
        }

        var open = await Unavailable(() => index.SearchGroupsAsync(new GroupQuery("", "open"), NewcomerCandidates, cancellation));
        var considered = candidates.Select(c => c.Id).Concat(open).Where(id => !joined.Contains(id)).Distinct(StringComparer.Ordinal).ToArray();
        var found = await Task.WhenAll(considered.Select(async id => (Id: id, Access: await access.GetGroupAccess(id, caller), Group: await reads.GetGroup(id))));
        var shown = found.Where(f => f.Group is not null && f.Access.IsVisible && !f.Access.IsMember).ToDictionary(f => f.Id, StringComparer.Ordinal);
        var companyWide = open
            .Where(shown.ContainsKey)
            .OrderByDescending(id => shown[id].Group!.MemberCount)
            .ThenBy(id => id, StringComparer.Ordinal)
            .Select(id => (Id: id, Reason: "company-wide channel"));
        return candidates.Concat(companyWide)
            .Where(c => shown.ContainsKey(c.Id))
            .DistinctBy(c => c.Id, StringComparer.Ordinal)
            .Take(limit)
            .Select(c => new GroupSuggestion { Group = ProtoMapper.ToProto(shown[c.Id].Group!, shown[c.Id].Access), Reason = c.Reason });
    }

    /// <summary>
    /// Colleagues of their department, the people those colleagues and the ones of their office
    /// follow most, then colleagues of their office; only people the caller may see, counted only
    /// over colleagues the caller may see.
    /// </summary>
    private async Task<IEnumerable<PersonSuggestion>> NewcomerPeopleAsync(string caller, UserProfile profile, HashSet<string> followed, int limit, CancellationToken cancellation)
    {
        IReadOnlyList<string> department = profile.Department.Trim().Length > 0
            ? await Unavailable(() => index.SearchPeopleAsync(new PeopleQuery { Department = profile.Department }, NewcomerCandidates, cancellation))
            : [];
        IReadOnlyList<string> office = profile.Location.Trim().Length > 0
            ? await Unavailable(() => index.SearchPeopleAsync(new PeopleQuery { Location = profile.Location }, NewcomerCandidates, cancellation))
            : [];
        var colleagues = department.Concat(office).Where(id => id != caller).Distinct(StringComparer.Ordinal).ToArray();
        var visibleColleagues = await access.VisibleAmong(caller, colleagues);

        // Who the colleagues the caller may see follow, counted once per colleague.
        var follows = await Task.WhenAll(colleagues.Where(visibleColleagues.Contains).Take(NewcomerCandidates / 5)
            .Select(id => grains.GetGrain<IUserGrain>(id).ListFollowing(null, NewcomerCandidates)));
        var popular = follows.SelectMany(page => page.Ids.Distinct(StringComparer.Ordinal))
            .Where(id => id != caller)
            .GroupBy(id => id, StringComparer.Ordinal)
            .Select(g => (Id: g.Key, Count: g.Count()))
            .OrderByDescending(x => x.Count)
            .ThenBy(x => x.Id, StringComparer.Ordinal)
            .ToArray();
        var visiblePopular = await access.VisibleAmong(caller, popular.Select(x => x.Id));

        var candidates = department.Where(visibleColleagues.Contains).Select(id => (Id: id, Reason: "in your department"))
            .Concat(popular.Where(x => visiblePopular.Contains(x.Id)).Select(x => (x.Id, Reason: x.Count == 1 ? "followed by one of your colleagues" : $"followed by {x.Count} of your colleagues")))
            .Concat(office.Where(visibleColleagues.Contains).Select(id => (Id: id, Reason: "at your office")))
            .Where(c => c.Id != caller && !followed.Contains(c.Id))
            .DistinctBy(c => c.Id, StringComparer.Ordinal)
            .Take(limit * 2)
            .ToArray();
        var users = await hydrator.LoadUsersAsync(candidates.Select(c => c.Id));
        return candidates
            .Where(c => users.TryGetValue(c.Id, out var user) && user is not null)
            .Take(limit)
            .Select(c => new PersonSuggestion { User = ProtoMapper.ToSummary(c.Id, users[c.Id]), Reason = c.Reason });
    }

    /// <summary>
    /// What the index may narrow a content search to, so that pages are not spent on content the
    /// caller cannot read: their groups, and the open ones unless they are a guest. An application
    /// gets no narrowing (its scopes are checked live).
    /// </summary>
    private async Task<ContentScope?> ScopeOfAsync(string caller)
    {
        if (ApplicationAuthor.IsApplication(caller))
        {
            return null;
        }

        var groups = grains.GetGrain<IUserGrain>(caller).GetGroupIds();
        var isGuest = await access.IsGuestAsync(caller);
        return new ContentScope((await groups).ToHashSet(StringComparer.Ordinal), OpenGroups: !isGuest);
    }

    /// <summary>How many people and texts an expert search weighs at most.</summary>
    private const int ExpertCandidates = 500;

    private static string Reason(bool declared, int posts, int answers, int reactions) =>
        string.Join(" · ", new[]
        {
            declared ? "declared skill" : "",
            posts > 0 ? $"{posts} post{(posts == 1 ? "" : "s")} on the topic" : "",
            answers > 0 ? $"{answers} answer{(answers == 1 ? "" : "s")} on the topic" : "",
            reactions > 0 ? $"{reactions} reaction{(reactions == 1 ? "" : "s")} received" : "",
        }.Where(part => part.Length > 0));

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
        var topicPosts = candidates.Where(s => s.Kind == IndexSuggestionKind.Topic).SelectMany(s => s.RecentPostIds).Distinct().ToArray();
        var livePosts = (await Task.WhenAll(topicPosts.Select(id => reads.GetPost(id, caller)))).OfType<PostSnapshot>().ToArray();
        var readablePosts = await access.ReadableAmong(caller, livePosts);

        return [.. candidates.Where(s => s.Kind switch
        {
            IndexSuggestionKind.Person => users.TryGetValue(s.Id, out var user) && user is not null,
            IndexSuggestionKind.Group => visibleGroups.Contains(s.Id),
            _ => s.RecentPostIds.Any(readablePosts.Contains),
        })];
    }

    /// <summary>
    /// The hits the caller may be shown, with their live post. Who may read a post is decided from
    /// the hit alone (its group and author never change; <see cref="AccessPolicy.ReadableAmong(string, IReadOnlyCollection{PostOrigin})"/>),
    /// so only the posts that pass wake their grain, to check that they are still there as indexed.
    /// </summary>
    private async Task<Dictionary<ContentHit, PostSnapshot>> ShownAsync(IReadOnlyList<ContentHit> hits, string caller)
    {
        var mayRead = await MayReadByOriginAsync(hits, caller);
        return await LiveAsync([.. hits.Where(mayRead)], caller);
    }

    /// <summary>
    /// The first hits of <paramref name="window"/>, in rank order, the caller may be shown, until
    /// <paramref name="wanted"/> of them are found: one item per hit examined (null when left out),
    /// so that the page's next position follows the last hit examined. Posts are loaded only as a
    /// page needs them, a few more when some turn out stale.
    /// </summary>
    private async Task<IReadOnlyList<ShownHit?>> ShownInOrderAsync(IReadOnlyList<ContentHit> window, int wanted, string caller, HashSet<long> shownPosts)
    {
        var mayRead = await MayReadByOriginAsync(window, caller);
        var examined = new List<ShownHit?>(window.Count);
        var found = 0;
        while (examined.Count < window.Count && found < wanted)
        {
            var chunk = new List<(int Index, ContentHit Hit)>();
            while (examined.Count < window.Count && chunk.Count < wanted - found)
            {
                var hit = window[examined.Count];
                if (mayRead(hit) && !shownPosts.Contains(hit.PostId))
                {
                    chunk.Add((examined.Count, hit));
                }

                examined.Add(null);
            }

            var live = await LiveAsync([.. chunk.Select(c => c.Hit)], caller);
            foreach (var (index, hit) in chunk)
            {
                if (live.TryGetValue(hit, out var post) && shownPosts.Add(post.PostId))
                {
                    examined[index] = new ShownHit(hit, post);
                    found++;
                }
            }
        }

        return examined;
    }

    /// <summary>
    /// Whether the caller may read each hit's post, as far as the hit tells: a post's hit carries
    /// what decides (its group, its author). A comment's hit names the comment's author, not the
    /// post's, which decides for a profile post and for a hidden one (its author still sees it),
    /// so a comment's post is checked live (<see cref="LiveAsync"/>).
    /// </summary>
    private async Task<Func<ContentHit, bool>> MayReadByOriginAsync(IReadOnlyList<ContentHit> hits, string caller)
    {
        var readable = await access.ReadableAmong(caller, hits.Where(OriginDecides).Select(hit => new PostOrigin(hit.PostId, hit.AuthorId, hit.GroupId)).Distinct().ToArray());
        return hit => !OriginDecides(hit) || readable.Contains(hit.PostId);
    }

    private static bool OriginDecides(ContentHit hit) => hit.CommentId == 0;

    /// <summary>
    /// Of hits the caller may read (a comment's post checked here), those still live as indexed: the post there, a comment still
    /// there and by someone they may see, and the text the index matched still the live text (a
    /// stale entry waits for the index to catch up rather than highlight words that are gone).
    /// </summary>
    private async Task<Dictionary<ContentHit, PostSnapshot>> LiveAsync(IReadOnlyList<ContentHit> hits, string caller)
    {
        var postIds = hits.Select(hit => hit.PostId).Distinct().ToArray();
        var posts = (await Task.WhenAll(postIds.Select(id => reads.GetPost(id, caller)))).OfType<PostSnapshot>().ToDictionary(post => post.PostId);
        var undecided = hits.Where(hit => !OriginDecides(hit)).Select(hit => hit.PostId).ToHashSet();
        if (undecided.Count > 0)
        {
            var readable = await access.ReadableAmong(caller, posts.Values.Where(post => undecided.Contains(post.PostId)).ToArray());
            foreach (var postId in undecided.Where(id => !readable.Contains(id)))
            {
                posts.Remove(postId);
            }
        }

        var commentHits = hits.Where(hit => hit.CommentId != 0 && posts.ContainsKey(hit.PostId)).ToArray();
        var comments = await Task.WhenAll(commentHits.Select(hit => grains.GetGrain<IPostGrain>(hit.PostId).GetComment(hit.CommentId)));
        var commentAuthors = await access.VisibleAmong(caller, comments.OfType<CommentSnapshot>().Select(c => c.AuthorId));
        var liveComments = commentHits.Zip(comments).ToDictionary(pair => pair.First, pair => pair.Second);

        var shown = new Dictionary<ContentHit, PostSnapshot>();
        foreach (var hit in hits)
        {
            if (!posts.TryGetValue(hit.PostId, out var post))
            {
                continue;
            }

            var text = hit.CommentId == 0
                ? post.Text
                : liveComments.GetValueOrDefault(hit) is { } comment && commentAuthors.Contains(comment.AuthorId) ? comment.Text : null;
            if (text == hit.IndexedText)
            {
                shown[hit] = post;
            }
        }

        return shown;
    }

    private sealed record ShownHit(ContentHit Hit, PostSnapshot Post);

    private sealed record Page<T>(IReadOnlyList<T> Items, long? Next);

    /// <summary>
    /// A page of ranked candidates from <paramref name="start"/>: reads them in rounds and hands
    /// each round's window to <paramref name="keep"/> with how many items the page still wants;
    /// keep answers for the candidates it examined (a prefix of the window), an item for each one
    /// kept. Says where the next page starts (null at the end).
    /// </summary>
    private static async Task<Page<TItem>> PageAsync<TCandidate, TItem>(
        long start,
        int pageSize,
        Func<int, Task<IReadOnlyList<TCandidate>>> candidates,
        Func<IReadOnlyList<TCandidate>, int, Task<IReadOnlyList<TItem?>>> keep)
        where TItem : class
    {
        var items = new List<TItem>();
        var position = start;
        var batch = Math.Max(pageSize * 2, 20);
        for (var round = 0; round < MaxRounds; round++)
        {
            var limit = (int)Math.Min(position + batch, int.MaxValue);
            var ranked = await candidates(limit);
            if (ranked.Count <= position)
            {
                return new Page<TItem>(items, null);
            }

            var window = ranked.Skip((int)position).ToArray();
            var kept = await keep(window, pageSize - items.Count);
            for (var i = 0; i < kept.Count; i++)
            {
                position++;
                if (kept[i] is { } item)
                {
                    items.Add(item);
                    if (items.Count == pageSize)
                    {
                        var more = position < ranked.Count || ranked.Count == limit;
                        return new Page<TItem>(items, more ? position : null);
                    }
                }
            }

            if (ranked.Count < limit)
            {
                return new Page<TItem>(items, null);
            }
        }

        return new Page<TItem>(items, position);
    }

    private static long Position(string token, string kind) => PageToken.DecodeNumber(token, kind) is { } position and >= 0
        ? position
        : token.Length == 0 ? 0 : throw Fail.Invalid("page_token", "is not a token of this search.");

    private static string Bounded(string value, string field) =>
        value.Length <= SearchQuerySyntax.MaxQueryLength ? value : throw Fail.Invalid(field, $"must be at most {SearchQuerySyntax.MaxQueryLength} characters.");

    /// <summary>The index away is UNAVAILABLE at once, saying so; what does not need the index (GetUser, GetGroup) keeps working.</summary>
    private static async Task<T> Unavailable<T>(Func<Task<T>> search)
    {
        try
        {
            return await search();
        }
        catch (SearchUnavailableException e)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, $"Search is unavailable for now: {e.Message} Look people and groups up by id meanwhile."));
        }
    }
}
