using RseOrleans.Model;

namespace RseOrleans.Grains.Sources;

/// <summary>
/// Who may post to a source, decided behind the grain boundary for profiles and groups alike: a
/// profile takes its owner's posts only; a group asks its grain, which owns membership and roles.
/// </summary>
internal static class PostingRight
{
    /// <summary>The refusal for each post of the batch, null where its author may post.</summary>
    public static async Task<DomainException?[]> RefusalsAsync(IGrainFactory grains, SourceId source, IReadOnlyList<NewPost> posts)
    {
        var refusals = new DomainException?[posts.Count];
        if (source.Kind == SourceKind.Topic)
        {
            // A topic has no posts of its own: it takes those of other sources through their hashtags.
            Array.Fill(refusals, DomainException.Precondition("A topic takes no posts of its own: post with its hashtag instead."));
            return refusals;
        }

        if (source.Kind == SourceKind.User)
        {
            for (var i = 0; i < posts.Count; i++)
            {
                refusals[i] = posts[i].AuthorId == source.Id ? null : DomainException.Denied("Only the owner of a profile posts on it.");
            }

            return refusals;
        }

        // One question to the group for the whole batch, however many authors; an application
        // (a service account) is no member: its own scopes say where it posts.
        var authors = posts.Select(post => post.AuthorId).Distinct(StringComparer.Ordinal).ToArray();
        var people = authors.Where(author => !ApplicationAuthor.IsApplication(author)).ToArray();
        var applications = authors.Where(ApplicationAuthor.IsApplication).ToArray();
        var answers = people.Length > 0 ? await grains.GetGrain<IGroupGrain>(source.Id).CheckPostingRight(people) : [];
        var applicationAnswers = await Task.WhenAll(applications.Select(author => ApplicationRefusalAsync(grains, source.Id, author)));
        var byAuthor = people.Select((author, i) => (author, answers[i]))
            .Concat(applications.Select((author, i) => (author, applicationAnswers[i])))
            .ToDictionary(pair => pair.author, pair => pair.Item2, StringComparer.Ordinal);
        for (var i = 0; i < posts.Count; i++)
        {
            refusals[i] = byAuthor[posts[i].AuthorId] is { } refusal
                ? new DomainException(refusal.Error, refusal.Message)
                : null;
        }

        return refusals;
    }

    private static async Task<PostingRefusal?> ApplicationRefusalAsync(IGrainFactory grains, string groupId, string authorId)
    {
        var account = await grains.GetGrain<IServiceAccountGrain>(ApplicationAuthor.AccountOf(authorId)!).Get();
        return account is { Disabled: false } && ServiceAccountScopes.MayPost(account.Scopes, groupId)
            ? null
            : new PostingRefusal(DomainError.PermissionDenied, $"The application may not post into group '{groupId}': it needs the scope '{ServiceAccountScopes.Post(groupId)}'.");
    }
}
