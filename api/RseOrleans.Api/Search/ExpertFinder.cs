using RseOrleans.Api.Access;
using RseOrleans.Api.Hydration;
using RseOrleans.Api.Mapping;
using RseOrleans.Api.V1;
using RseOrleans.Search;

namespace RseOrleans.Api.Search;

/// <summary>
/// FindExperts: people for a skill or a topic, ranked by what they declared and by what they did
/// on it, counted only over what the caller may read, so that no count reveals a secret group's content.
/// </summary>
public sealed class ExpertFinder(ISearchIndex index, ReadableHits readable, AccessPolicy access, PostHydrator hydrator)
{
    /// <summary>How many people and texts an expert search weighs at most.</summary>
    private const int Candidates = 500;

    /// <param name="topic">A skill or a topic ("kubernetes", "#onboarding", "data science"), trimmed and not empty.</param>
    public async Task<IReadOnlyList<Expert>> FindAsync(string caller, string topic, int limit, CancellationToken cancellation)
    {
        var name = topic.TrimStart('#');
        var words = name.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var content = topic.StartsWith('#') ? new ContentQuery { Hashtags = [name] }
            : words.Length > 1 ? new ContentQuery { Phrases = [name] }
            : new ContentQuery { Words = words };
        content = content with { Scope = await readable.ScopeOfAsync(caller), Highlighted = false };
        var declared = IndexCalls.OrUnavailable(() => index.SearchPeopleAsync(new PeopleQuery { Skill = name }, Candidates, cancellation));
        var hits = await IndexCalls.OrUnavailable(() => index.SearchContentAsync(content, Candidates, cancellation));

        var shown = await readable.ShownAsync(hits, caller);
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
        return [.. users
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
            .Take(limit)
            .Select(x => x.Expert)];
    }

    private static string Reason(bool declared, int posts, int answers, int reactions) =>
        string.Join(" · ", new[]
        {
            declared ? "declared skill" : "",
            posts > 0 ? $"{posts} post{(posts == 1 ? "" : "s")} on the topic" : "",
            answers > 0 ? $"{answers} answer{(answers == 1 ? "" : "s")} on the topic" : "",
            reactions > 0 ? $"{reactions} reaction{(reactions == 1 ? "" : "s")} received" : "",
        }.Where(part => part.Length > 0));
}
