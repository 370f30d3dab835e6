using RseOrleans.Api.V1;

namespace RseOrleans.Cli;

/// <summary>How the API's answers read on a terminal. Times are in the caller's time zone.</summary>
internal static class Text
{
    public static void User(TextWriter output, User user)
    {
        var profile = user.Profile;
        output.WriteLine($"{user.UserId}: {Describe(profile.DisplayName, profile.Title, profile.Department, profile.Location)} " +
            $"· {Count(user.FollowerCount, "follower")} · follows {user.FollowingCount}");
        var details = new[]
        {
            profile.TimeZone,
            profile.Language,
            profile.Skills.Count > 0 ? "skills: " + string.Join(", ", profile.Skills) : "",
        }.Where(part => part.Length > 0).ToList();
        if (details.Count > 0)
        {
            output.WriteLine($"  {string.Join(" · ", details)}");
        }

        foreach (var link in profile.Links)
        {
            output.WriteLine($"  link: {link.Title} <{link.Url}>");
        }
    }

    public static void UserSummaries(TextWriter output, IReadOnlyCollection<UserSummary> users, string nextPageToken, string none)
    {
        foreach (var user in users)
        {
            output.WriteLine($"{user.UserId}: {Describe(user.DisplayName, user.Title, user.Department, "")}");
        }

        Paged(output, users.Count, nextPageToken, none);
    }

    public static void Group(TextWriter output, Group group)
    {
        var policy = group.PostingPolicy == PostingPolicy.AdminsOnly ? " · admins post" : "";
        output.WriteLine($"{group.GroupId}: {group.Name} [{Name(group.Visibility)}]{policy} · {Count(group.MemberCount, "member")} · you: {Relation(group)}");
        if (group.Description.Length > 0)
        {
            output.WriteLine($"  {group.Description}");
        }
    }

    /// <summary>The caller's place in a group, as the engine has it: owner, admin, moderator, member, requested or not a member.</summary>
    public static string Relation(Group group) => group.Membership switch
    {
        MembershipState.Member => Name(group.Role),
        MembershipState.Requested => "requested",
        _ => "not a member",
    };

    public static void Member(TextWriter output, Member member, TimeZoneInfo zone) =>
        output.WriteLine($"{member.UserId}: {member.DisplayName} · {Name(member.Role)} · joined {Call.Time(member.JoinTime, zone)}");

    public static void Post(TextWriter output, Post post, TimeZoneInfo zone, string? cursor = null)
    {
        var where = post.GroupName.Length > 0 ? $" in {post.GroupName}" : "";
        var edited = post.UpdateTime is { } updated && updated != post.CreateTime ? " (edited)" : "";
        output.WriteLine($"[{Call.Time(post.CreateTime, zone)}] {post.AuthorDisplayName}{where} · post {post.PostId}{edited}{(cursor is null ? "" : $" · cursor {cursor}")}");
        output.WriteLine($"  {post.Text}");
        MentionsAndTopics(output, post.Mentions, post.Hashtags);
        output.WriteLine($"  {Count(post.CommentCount, "comment")}{(post.Reactions.Count > 0 ? " · " + Reactions(post.Reactions, post.MyReactions) : "")}{(post.ShareCount > 0 ? " · " + Count(post.ShareCount, "share") : "")}{(post.Bookmarked ? " · bookmarked" : "")}");
        SharedOriginal(output, post, zone);
    }

    /// <summary>A share shows the original below it, as the reader sees it now, or says it is gone.</summary>
    private static void SharedOriginal(TextWriter output, Post post, TimeZoneInfo zone)
    {
        if (post.SharedPost is { } original)
        {
            var where = original.GroupName.Length > 0 ? $" in {original.GroupName}" : "";
            output.WriteLine($"  > shared: [{Call.Time(original.CreateTime, zone)}] {original.AuthorDisplayName}{where} · post {original.PostId}");
            output.WriteLine($"  > {original.Text}");
        }
        else if (post.SharedPostUnavailable)
        {
            output.WriteLine("  > shared: a post that is no longer available to you");
        }
    }

    /// <summary>A comment on one line, or a reply naming the comment it answers; what it names, its replies and reactions below, when it has any.</summary>
    public static void Comment(TextWriter output, Comment comment, TimeZoneInfo zone)
    {
        var what = comment.ReplyToCommentId.Length > 0 ? $"reply {comment.CommentId} to {comment.ReplyToCommentId}" : $"comment {comment.CommentId}";
        output.WriteLine($"[{Call.Time(comment.CreateTime, zone)}] {comment.AuthorDisplayName} · {what}: {comment.Text}");
        MentionsAndTopics(output, comment.Mentions, comment.Hashtags);
        var below = new List<string>();
        if (comment.ReplyCount > 0)
        {
            below.Add(comment.ReplyCount == 1 ? "1 reply" : $"{comment.ReplyCount} replies");
        }

        if (comment.Reactions.Count > 0)
        {
            below.Add(Reactions(comment.Reactions, comment.MyReactions));
        }

        if (below.Count > 0)
        {
            output.WriteLine($"  {string.Join(" · ", below)}");
        }
    }

    /// <summary><c>  mentions: Dan Ito (@dan), @someone · topics: #design</c>; nothing when the text names no one and no topic.</summary>
    private static void MentionsAndTopics(TextWriter output, Google.Protobuf.Collections.RepeatedField<Mention> mentions, Google.Protobuf.Collections.RepeatedField<string> hashtags)
    {
        var parts = new[]
        {
            mentions.Count > 0 ? "mentions: " + string.Join(", ", mentions.Select(m => m.DisplayName.Length > 0 ? $"{m.DisplayName} (@{m.UserId})" : $"@{m.UserId}")) : "",
            hashtags.Count > 0 ? "topics: " + string.Join(", ", hashtags.Select(tag => $"#{tag}")) : "",
        }.Where(part => part.Length > 0).ToList();
        if (parts.Count > 0)
        {
            output.WriteLine($"  {string.Join(" · ", parts)}");
        }
    }

    /// <summary><c>celebrate 2, like 1 · yours: celebrate</c>.</summary>
    public static string Reactions(IEnumerable<ReactionCount> counts, IReadOnlyCollection<ReactionType> mine)
    {
        var all = string.Join(", ", counts.Select(count => $"{Name(count.Type)} {count.Count}"));
        var yours = mine.Count > 0 ? " · yours: " + string.Join(", ", mine.Select(Name)) : "";
        return all.Length > 0 ? all + yours : "no reactions";
    }

    public static void Account(TextWriter output, Account account)
    {
        var configured = account.ConfiguredAdmin ? " (Network:Admins setting)" : "";
        output.WriteLine($"{account.UserId}: {Name(account.Role)}{configured}, {Name(account.Status)}");
    }

    /// <summary>Ends a list: the empty line it stands for when it is empty, how to get the next page when there is one.</summary>
    public static void Paged(TextWriter output, int count, string nextPageToken, string none)
    {
        if (count == 0)
        {
            output.WriteLine(none);
        }

        if (nextPageToken.Length > 0)
        {
            output.WriteLine($"more: --page-token {nextPageToken}");
        }
    }

    /// <summary>The one wording of a call that found its work done already, whatever the command.</summary>
    public static string NothingToDo(string state) => $"nothing to do: {state}";

    /// <summary>"a member", "an admin".</summary>
    public static string WithArticle(GroupRole role) => role is GroupRole.Admin or GroupRole.Owner ? $"an {Name(role)}" : $"a {Name(role)}";

    public static string Count(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";

    /// <summary>The short lowercase name of an enum value: GROUP_ROLE_OWNER is generated as Owner and printed "owner".</summary>
    public static string Name<TEnum>(TEnum value)
        where TEnum : struct, Enum => value.ToString().ToLowerInvariant();

    private static string Describe(string displayName, string title, string department, string location)
    {
        var place = string.Join(", ", new[] { department, location }.Where(part => part.Length > 0));
        var description = string.Join(" ", new[] { title, place.Length > 0 ? $"({place})" : "" }.Where(part => part.Length > 0));
        return displayName + (description.Length > 0 ? ", " + description : "");
    }
}
