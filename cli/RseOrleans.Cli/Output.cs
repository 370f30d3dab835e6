using System.Globalization;
using RseOrleans.Api.V1;

namespace RseOrleans.Cli;

/// <summary>How results read on a terminal.</summary>
internal static class Output
{
    public static void Print(User user)
    {
        var profile = user.Profile;
        var place = string.Join(", ", new[] { profile.Department, profile.Location }.Where(part => part.Length > 0));
        var description = string.Join(" ", new[] { profile.Title, place.Length > 0 ? $"({place})" : "" }.Where(part => part.Length > 0));
        Console.WriteLine(
            $"{user.UserId}: {profile.DisplayName}{(description.Length > 0 ? ", " + description : "")} " +
            $"· {user.FollowerCount} followers · follows {user.FollowingCount}");
    }

    public static void Print(Group group) => Console.WriteLine(
        $"{group.GroupId}: {group.Name} [{Name(group.Visibility)}] · {group.MemberCount} members · you: {Name(group.Membership)}");

    public static void Print(Post post, string? cursor = null)
    {
        var where = post.GroupName.Length > 0 ? $" in {post.GroupName}" : "";
        var time = post.CreateTime.ToDateTimeOffset().ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        Console.WriteLine($"[{time}] {post.AuthorDisplayName}{where} · post {post.PostId}{(cursor is null ? "" : $" · cursor {cursor}")}");
        Console.WriteLine($"  {post.Text}");
        var reactions = string.Join(", ", post.Reactions.Select(r => $"{Name(r.Type)} {r.Count}"));
        var comments = post.CommentCount == 1 ? "1 comment" : $"{post.CommentCount} comments";
        Console.WriteLine($"  {comments}{(reactions.Length > 0 ? " · " + reactions : "")}");
    }

    public static string Name<TEnum>(TEnum value)
        where TEnum : struct, Enum
    {
        // GROUP_VISIBILITY_OPEN is generated as Open: print the short, lowercase name.
        return value.ToString().ToLowerInvariant();
    }
}
