namespace RseOrleans.Model;

/// <summary>
/// The people (<c>@user-id</c>) and topics (<c>#hashtag</c>) a post's or comment's text names, as
/// <see cref="MentionsAndTagsParser"/> finds them: distinct, in order of first appearance. Derived
/// from the text and stored beside it, so that what reads a post (notifications, topic feeds)
/// finds them without parsing again.
/// </summary>
[GenerateSerializer, Immutable]
[Alias("rse.MentionsAndTags")]
public sealed record MentionsAndTags(
    [property: Id(0)] IReadOnlyList<string> Mentions,
    [property: Id(1)] IReadOnlyList<string> Hashtags)
{
    public static readonly MentionsAndTags None = new([], []);

    public bool IsNone => Mentions.Count == 0 && Hashtags.Count == 0;

    /// <summary>What a grain stores: null rather than an empty value, which most texts have.</summary>
    public MentionsAndTags? OrNullIfNone() => IsNone ? null : this;
}
