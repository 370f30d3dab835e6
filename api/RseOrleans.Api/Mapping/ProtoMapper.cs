using Google.Protobuf.Collections;
using Google.Protobuf.WellKnownTypes;
using RseOrleans.Model;
using V1 = RseOrleans.Api.V1;

namespace RseOrleans.Api.Mapping;

/// <summary>Domain records to rse.v1 messages and back; no rules, only shapes.</summary>
internal static class ProtoMapper
{
    public static V1.User ToProto(UserSnapshot user, int followerCount) => new()
    {
        UserId = user.UserId,
        Profile = ToProto(user.Profile),
        FollowerCount = followerCount,
        FollowingCount = user.FollowingCount,
        CreateTime = Timestamp.FromDateTimeOffset(user.CreatedAt),
        UpdateTime = Timestamp.FromDateTimeOffset(user.UpdatedAt),
    };

    public static V1.EraseUserResponse ToProto(string userId, ErasureReport report) => new()
    {
        UserId = userId,
        EraseTime = Timestamp.FromDateTimeOffset(report.ErasedAt),
        AlreadyErased = report.AlreadyErased,
        PostsDeleted = report.PostsDeleted,
        CommentsDeleted = report.CommentsDeleted,
        ReactionsRemoved = report.ReactionsRemoved,
        FollowingRemoved = report.FollowingRemoved,
        FollowersRemoved = report.FollowersRemoved,
        MembershipsRemoved = report.MembershipsRemoved,
        JoinRequestsDropped = report.JoinRequestsDropped,
        OwnershipsTransferred = report.OwnershipsTransferred,
    };

    public static V1.Profile ToProto(UserProfile profile) => new()
    {
        DisplayName = profile.DisplayName,
        Title = profile.Title,
        Department = profile.Department,
        Location = profile.Location,
        TimeZone = profile.TimeZone,
        Language = profile.Language,
        Skills = { profile.Skills },
        Links = { profile.Links.Select(link => new V1.QuickLink { Title = link.Title, Url = link.Url }) },
    };

    public static V1.UserSummary ToSummary(string userId, UserSnapshot? user) => new()
    {
        UserId = userId,
        DisplayName = user?.Profile.DisplayName ?? "",
        Title = user?.Profile.Title ?? "",
        Department = user?.Profile.Department ?? "",
    };

    public static V1.Group ToProto(GroupSnapshot group, GroupAccess caller) => new()
    {
        GroupId = group.GroupId,
        Name = group.Spec.Name,
        Description = group.Spec.Description,
        Visibility = ToProto(group.Spec.Visibility),
        PostingPolicy = ToProto(group.Spec.PostingPolicy),
        MemberCount = group.MemberCount,
        CreatedBy = group.CreatedBy,
        CreateTime = Timestamp.FromDateTimeOffset(group.CreatedAt),
        Membership = caller.IsMember ? V1.MembershipState.Member
            : caller.JoinRequested ? V1.MembershipState.Requested
            : V1.MembershipState.None,
        Role = ToProto(caller.Role),
    };

    public static V1.Member ToProto(GroupMember member, string displayName) => new()
    {
        UserId = member.UserId,
        DisplayName = displayName,
        Role = ToProto(member.Role),
        JoinTime = Timestamp.FromDateTimeOffset(member.JoinedAt),
    };

    public static V1.Post ToProto(PostSnapshot post, string authorName, string groupName)
    {
        var message = new V1.Post
        {
            PostId = post.PostId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            AuthorId = post.AuthorId,
            AuthorDisplayName = authorName,
            GroupId = post.GroupId ?? "",
            GroupName = groupName,
            Text = post.Text,
            CreateTime = Timestamp.FromDateTimeOffset(post.CreatedAt),
            UpdateTime = Timestamp.FromDateTimeOffset(post.UpdatedAt),
            CommentCount = post.CommentCount,
            ShareCount = post.ShareCount,
        };
        // Most posts have no reaction: no sorting nor enumerator for them, on every item of every page.
        if (post.ReactionCounts.Count > 0)
        {
            message.Reactions.AddRange(ToProto(post.ReactionCounts));
        }

        for (var i = 0; i < post.MyReactions.Count; i++)
        {
            message.MyReactions.Add(ToProto(post.MyReactions[i]));
        }

        return message;
    }

    public static V1.Comment ToProto(CommentSnapshot comment, string authorName)
    {
        var message = new V1.Comment
        {
            CommentId = comment.CommentId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            PostId = comment.PostId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            AuthorId = comment.AuthorId,
            AuthorDisplayName = authorName,
            Text = comment.Text,
            CreateTime = Timestamp.FromDateTimeOffset(comment.CreatedAt),
        };
        AddThreadAndReactions(message, comment);
        return message;
    }

    /// <summary>A comment's place in its thread and its reactions (replies and comment reactions).</summary>
    private static void AddThreadAndReactions(V1.Comment message, CommentSnapshot comment)
    {
        message.ReplyToCommentId = comment.ReplyToCommentId == 0 ? "" : comment.ReplyToCommentId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        message.ReplyCount = comment.ReplyCount;
        message.Reactions.AddRange(ToProto(comment.ReactionCounts));
        message.MyReactions.AddRange(comment.MyReactions.Select(ToProto));
    }

    /// <summary>
    /// What a post's or comment's text mentions and tags; a mention carries a name only when
    /// <paramref name="mentionNames"/> (the names the viewer may be shown) holds one.
    /// </summary>
    public static void AddMentionsAndTags(
        RepeatedField<V1.Mention> mentions, RepeatedField<string> hashtags, MentionsAndTags found, IReadOnlyDictionary<string, string> mentionNames)
    {
        for (var i = 0; i < found.Mentions.Count; i++)
        {
            var userId = found.Mentions[i];
            mentions.Add(new V1.Mention { UserId = userId, DisplayName = mentionNames.GetValueOrDefault(userId, "") });
        }

        hashtags.AddRange(found.Hashtags);
    }

    public static V1.ReactionSummary ToProto(long postId, ReactionSummary summary)
    {
        var message = new V1.ReactionSummary { PostId = postId.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        message.Reactions.AddRange(ToProto(summary.Counts));
        message.MyReactions.AddRange(summary.MyReactions.Select(ToProto));
        return message;
    }

    public static V1.ReactionSummary ToProto(long postId, long commentId, ReactionSummary summary)
    {
        var message = ToProto(postId, summary);
        message.CommentId = commentId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return message;
    }

    public static V1.GroupVisibility ToProto(GroupVisibility visibility) => (V1.GroupVisibility)(int)visibility;

    public static GroupVisibility ToDomain(V1.GroupVisibility visibility) => (GroupVisibility)(int)visibility;

    public static V1.PostingPolicy ToProto(PostingPolicy policy) => (V1.PostingPolicy)(int)policy;

    public static PostingPolicy ToDomain(V1.PostingPolicy policy) => (PostingPolicy)(int)policy;

    public static V1.GroupRole ToProto(GroupRole role) => role switch
    {
        GroupRole.Member => V1.GroupRole.Member,
        GroupRole.Moderator => V1.GroupRole.Moderator,
        GroupRole.Admin => V1.GroupRole.Admin,
        GroupRole.Owner => V1.GroupRole.Owner,
        _ => V1.GroupRole.Unspecified,
    };

    public static GroupRole ToDomain(V1.GroupRole role) => role switch
    {
        V1.GroupRole.Member => GroupRole.Member,
        V1.GroupRole.Moderator => GroupRole.Moderator,
        V1.GroupRole.Admin => GroupRole.Admin,
        V1.GroupRole.Owner => GroupRole.Owner,
        _ => GroupRole.None,
    };

    public static V1.ReactionType ToProto(ReactionType type) => (V1.ReactionType)(int)type;

    public static ReactionType ToDomain(V1.ReactionType type) => (ReactionType)(int)type;

    private static IEnumerable<V1.ReactionCount> ToProto(IReadOnlyDictionary<ReactionType, int> counts) =>
        counts.OrderBy(count => count.Key).Select(count => new V1.ReactionCount { Type = ToProto(count.Key), Count = count.Value });
}
