using RseOrleans.Model;

namespace RseOrleans.Api.Access;

/// <summary>
/// What decides who may read a post: where it was written and by whom. Neither ever changes, so a
/// derived copy (the search index) answers it as well as the post itself, without waking its grain.
/// </summary>
public readonly record struct PostOrigin(long PostId, string AuthorId, string? GroupId)
{
    public static PostOrigin Of(PostSnapshot post) => new(post.PostId, post.AuthorId, post.GroupId);

    /// <summary>The moderation grain that keeps whether the post is hidden.</summary>
    public string ModerationScope => GroupId is { } groupId ? ModerationKeys.ForGroup(groupId) : ModerationKeys.Profiles;
}
