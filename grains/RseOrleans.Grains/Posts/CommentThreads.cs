namespace RseOrleans.Grains.Posts;

/// <summary>
/// One level of threads over a post's comments, oldest first: top-level comments and the replies
/// that answer them. A reply names its top-level comment (<see cref="CommentState.ReplyTo"/>); the
/// list itself stays the one ordered list of the post's comments, so counts stay exact by construction.
/// </summary>
internal sealed class CommentThreads(List<CommentState> comments)
{
    public CommentState? Find(long commentId) => comments.Find(c => c.CommentId == commentId);

    /// <summary>
    /// The top-level comment a new reply to <paramref name="commentId"/> answers: the comment itself,
    /// or, for a reply, the comment that reply answers. Null when there is no such comment.
    /// </summary>
    public long? ThreadOf(long commentId) =>
        Find(commentId) is { } target ? (target.ReplyTo == 0 ? target.CommentId : target.ReplyTo) : null;

    /// <summary>The comments answering <paramref name="parent"/> (0: the top-level comments) after <paramref name="after"/>, a page at a time.</summary>
    public (IReadOnlyList<CommentState> Page, long? Next) Page(long parent, long? after, int pageSize)
    {
        var page = new List<CommentState>(Math.Min(pageSize, 64));
        var more = false;
        foreach (var comment in comments)
        {
            if (comment.ReplyTo != parent || (after is { } cursor && comment.CommentId <= cursor))
            {
                continue;
            }

            if (page.Count == pageSize)
            {
                more = true;
                break;
            }

            page.Add(comment);
        }

        return (page, more ? page[^1].CommentId : null);
    }

    /// <summary>How many replies each of <paramref name="parents"/> has, in one pass over the comments.</summary>
    public Dictionary<long, int> ReplyCounts(IEnumerable<long> parents)
    {
        var counts = parents.ToDictionary(id => id, _ => 0);
        foreach (var comment in comments)
        {
            if (comment.ReplyTo != 0 && counts.TryGetValue(comment.ReplyTo, out var count))
            {
                counts[comment.ReplyTo] = count + 1;
            }
        }

        return counts;
    }

    /// <summary>The authors of the replies to each of <paramref name="parents"/>, in order.</summary>
    public IReadOnlyList<IReadOnlyList<string>> ReplyAuthors(IReadOnlyList<long> parents) =>
        [.. parents.Select(parent => (IReadOnlyList<string>)[.. comments.Where(c => c.ReplyTo == parent).Select(c => c.AuthorId)])];

    /// <summary>
    /// Removes a comment and, for a top-level comment, its replies: a thread does not outlive the
    /// comment it answers. Returns what was removed (empty when the comment is not there).
    /// </summary>
    public IReadOnlyList<CommentState> RemoveWithReplies(long commentId)
    {
        var removed = comments.FindAll(c => c.CommentId == commentId || c.ReplyTo == commentId);
        if (!removed.Exists(c => c.CommentId == commentId))
        {
            return [];
        }

        comments.RemoveAll(c => c.CommentId == commentId || c.ReplyTo == commentId);
        return removed;
    }

    /// <summary>Removes every comment of <paramref name="userId"/> and the replies to theirs, as deleting each would.</summary>
    public IReadOnlyList<CommentState> RemoveAllOf(string userId)
    {
        var theirs = comments.Where(c => c.AuthorId == userId).Select(c => c.CommentId).ToHashSet();
        var removed = comments.FindAll(c => theirs.Contains(c.CommentId) || theirs.Contains(c.ReplyTo));
        comments.RemoveAll(c => theirs.Contains(c.CommentId) || theirs.Contains(c.ReplyTo));
        return removed;
    }
}
