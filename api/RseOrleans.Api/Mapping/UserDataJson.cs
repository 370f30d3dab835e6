using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using RseOrleans.Model;

namespace RseOrleans.Api.Mapping;

/// <summary>
/// The JSON document of a user data export. Its shape is a contract with whoever reads exports
/// (people, and the company's privacy tooling): fields are documented in docs/security.md, ids are
/// strings as in the API (64-bit post ids do not survive JavaScript numbers), times are ISO 8601 UTC.
/// </summary>
internal static class UserDataJson
{
    public const string ContentType = "application/json";

    /// <summary>Names the document's version; a reader can tell a later, different shape.</summary>
    public const string Format = "rse.user-data.v1";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static string Write(UserDataExport data, NetworkRole effectiveRole, DateTimeOffset exportedAt)
    {
        var account = data.Account;
        var document = new JsonObject
        {
            ["format"] = Format,
            ["user_id"] = data.UserId,
            ["exported_at"] = Time(exportedAt),
            ["account"] = account.IsErased
                ? new JsonObject { ["status"] = "erased", ["erased_at"] = Time(account.StatusChangedAt) }
                : new JsonObject
                {
                    ["status"] = Name(account.Status),
                    ["network_role"] = Name(effectiveRole),
                    ["status_changed_at"] = Time(account.StatusChangedAt),
                },
            ["profile"] = data.User is { } user ? Profile(user) : null,
            ["posts"] = Array(data.Posts, post => new JsonObject
            {
                ["post_id"] = Id(post.PostId),
                ["group_id"] = post.GroupId,
                ["text"] = post.Text,
                ["created_at"] = Time(post.CreatedAt),
                ["updated_at"] = Time(post.UpdatedAt),
                ["comment_count"] = post.CommentCount,
                ["shared_post_id"] = post.SharedPostId == 0 ? null : Id(post.SharedPostId),
                ["mentions"] = Array(post.MentionsAndTags.Mentions, id => JsonValue.Create(id)),
                ["hashtags"] = Array(post.MentionsAndTags.Hashtags, tag => JsonValue.Create(tag)),
                ["reaction_counts"] = new JsonObject(post.ReactionCounts
                    .OrderBy(count => count.Key)
                    .Select(count => KeyValuePair.Create(Name(count.Key), (JsonNode?)count.Value))),
            }),
            ["comments"] = Array(data.Comments, Comment),
            ["reactions"] = Array(data.Reactions, Reaction),
            ["following"] = Array(data.Following, id => JsonValue.Create(id)),
            ["followers"] = Array(data.Followers, id => JsonValue.Create(id)),
            ["memberships"] = Array(data.Memberships.Where(m => m.JoinedAt is not null), membership => new JsonObject
            {
                ["group_id"] = membership.GroupId,
                ["group_name"] = membership.GroupName,
                ["role"] = Name(membership.Role),
                ["joined_at"] = Time(membership.JoinedAt),
            }),
            ["join_requests"] = Array(data.Memberships.Where(m => m.RequestedAt is not null), request => new JsonObject
            {
                ["group_id"] = request.GroupId,
                ["group_name"] = request.GroupName,
                ["requested_at"] = Time(request.RequestedAt),
            }),
            ["bookmarks"] = Array(data.Bookmarks, bookmark => new JsonObject
            {
                ["post_id"] = Id(bookmark.PostId),
                ["bookmarked_at"] = Time(bookmark.CreatedAt),
            }),
            ["followed_topics"] = Array(data.FollowedTopics, followed => new JsonObject
            {
                ["topic"] = followed.Topic,
                ["followed_at"] = Time(followed.FollowedAt),
            }),
            ["notification_settings"] = new JsonObject
            {
                ["disabled_kinds"] = Array(data.NotificationSettings.DisabledKinds, kind => JsonValue.Create(Name(kind))),
                ["muted_post_ids"] = Array(data.NotificationSettings.MutedPosts, postId => JsonValue.Create(Id(postId))),
                ["group_levels"] = Array(data.NotificationSettings.GroupLevels.OrderBy(pair => pair.Key, StringComparer.Ordinal), pair => new JsonObject
                {
                    ["group_id"] = pair.Key,
                    ["level"] = Name(pair.Value),
                }),
            },
            ["notification_markers"] = new JsonObject
            {
                ["version"] = data.NotificationMarkers.Version,
                ["home_feed"] = data.NotificationMarkers.HomeFeed,
                ["notifications_read"] = data.NotificationMarkers.NotificationsRead,
                ["notifications_seen"] = data.NotificationMarkers.NotificationsSeen,
            },
        };
        return document.ToJsonString(Indented);
    }

    /// <summary>A reply names the comment it answers; a top-level comment has no such field.</summary>
    private static JsonObject Comment(CommentSnapshot comment)
    {
        var json = new JsonObject
        {
            ["comment_id"] = Id(comment.CommentId),
            ["post_id"] = Id(comment.PostId),
            ["text"] = comment.Text,
            ["created_at"] = Time(comment.CreatedAt),
            ["mentions"] = Array(comment.MentionsAndTags.Mentions, id => JsonValue.Create(id)),
            ["hashtags"] = Array(comment.MentionsAndTags.Hashtags, tag => JsonValue.Create(tag)),
        };
        if (comment.ReplyToCommentId != 0)
        {
            json["reply_to_comment_id"] = Id(comment.ReplyToCommentId);
        }

        return json;
    }

    /// <summary>A reaction to a comment names the comment; a reaction to the post has no such field.</summary>
    private static JsonObject Reaction(ReactionRecord reaction)
    {
        var json = new JsonObject { ["post_id"] = Id(reaction.PostId) };
        if (reaction.CommentId != 0)
        {
            json["comment_id"] = Id(reaction.CommentId);
        }

        json["type"] = Name(reaction.Type);
        return json;
    }

    private static JsonObject Profile(UserSnapshot user) => new()
    {
        ["display_name"] = user.Profile.DisplayName,
        ["title"] = user.Profile.Title,
        ["department"] = user.Profile.Department,
        ["location"] = user.Profile.Location,
        ["time_zone"] = user.Profile.TimeZone,
        ["language"] = user.Profile.Language,
        ["skills"] = Array(user.Profile.Skills, skill => JsonValue.Create(skill)),
        ["links"] = Array(user.Profile.Links, link => new JsonObject { ["title"] = link.Title, ["url"] = link.Url }),
        ["created_at"] = Time(user.CreatedAt),
        ["updated_at"] = Time(user.UpdatedAt),
    };

    private static JsonArray Array<T>(IEnumerable<T> items, Func<T, JsonNode?> map) => new([.. items.Select(map)]);

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    private static string? Time(DateTimeOffset? time) =>
        time?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static string Name<TEnum>(TEnum value)
        where TEnum : struct, Enum =>
        value.ToString().ToLowerInvariant();
}
