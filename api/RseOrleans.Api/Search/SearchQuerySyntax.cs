using System.Globalization;
using System.Text;
using RseOrleans.Api.Errors;
using RseOrleans.Api.Validation;
using RseOrleans.Search;

namespace RseOrleans.Api.Search;

/// <summary>What a post search's query says: the index's query, and whether it is over the caller's bookmarks.</summary>
internal sealed record ParsedPostQuery(ContentQuery Query, bool BookmarkedOnly);

/// <summary>
/// The post search language: words, "phrases", -word and -"phrase" exclusions, #topic, and the
/// operators from:, in:, mentions:, before:, after:, is:bookmarked and has:link. Anything it does
/// not understand is INVALID_ARGUMENT naming the query field and the part, never a guess.
/// </summary>
internal static class SearchQuerySyntax
{
    public const int MaxQueryLength = 500;
    private const int MaxParts = 30;
    private const string Field = "query";

    public static ParsedPostQuery Parse(string text)
    {
        if (text.Length > MaxQueryLength)
        {
            throw Fail.Invalid(Field, $"must be at most {MaxQueryLength} characters (got {text.Length}).");
        }

        var words = new List<string>();
        var phrases = new List<string>();
        var excluded = new List<string>();
        var hashtags = new List<string>();
        string? from = null, group = null, mentions = null;
        DateTimeOffset? before = null, after = null;
        bool bookmarked = false, hasLink = false;

        var parts = Split(text);
        if (parts.Count > MaxParts)
        {
            throw Fail.Invalid(Field, $"has {parts.Count} parts; at most {MaxParts} are searched.");
        }

        foreach (var (part, quoted, negated) in parts)
        {
            if (quoted)
            {
                (negated ? excluded : phrases).Add(part);
                continue;
            }

            if (negated)
            {
                excluded.Add(part);
                continue;
            }

            if (part.StartsWith('#'))
            {
                hashtags.Add(part.Length > 1 ? part[1..] : throw Fail.Invalid(Field, "'#' needs a topic after it, as in #onboarding."));
                continue;
            }

            var colon = part.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || !IsOperatorName(part.AsSpan(0, colon)) || part.AsSpan(colon + 1).StartsWith("//"))
            {
                words.Add(part);
                continue;
            }

            var name = part[..colon].ToLowerInvariant();
            var value = part[(colon + 1)..];
            switch (name)
            {
                case "from":
                    from = UserId(name, value);
                    break;
                case "mentions":
                    mentions = UserId(name, value);
                    break;
                case "in":
                    group = Require.IsId(value) ? value : throw Fail.Invalid(Field, $"in: wants a group id, as in in:engineering; '{value}' is not one.");
                    break;
                case "before":
                    before = Date(name, value);
                    break;
                case "after":
                    after = Date(name, value);
                    break;
                case "is" when value.Equals("bookmarked", StringComparison.OrdinalIgnoreCase):
                    bookmarked = true;
                    break;
                case "is":
                    throw Fail.Invalid(Field, $"is:{value} is not known; is:bookmarked is.");
                case "has" when value.Equals("link", StringComparison.OrdinalIgnoreCase):
                    hasLink = true;
                    break;
                case "has":
                    throw Fail.Invalid(Field, $"has:{value} is not known; has:link is.");
                default:
                    throw Fail.Invalid(Field, $"'{name}:' is not an operator; the operators are from:, in:, mentions:, before:, after:, is:bookmarked and has:link (quote the words to search for them as text).");
            }
        }

        if (before is { } b && after is { } a && a >= b)
        {
            throw Fail.Invalid(Field, "after: must be a date before the before: date.");
        }

        var query = new ContentQuery
        {
            Words = words,
            Phrases = phrases,
            Excluded = excluded,
            Hashtags = hashtags,
            AuthorId = from,
            GroupId = group,
            Mentions = mentions,
            Before = before,
            After = after,
            HasLink = hasLink,
        };
        if (words.Count == 0 && phrases.Count == 0 && hashtags.Count == 0 && from is null && group is null
            && mentions is null && before is null && after is null && !bookmarked && !hasLink)
        {
            throw Fail.Invalid(Field, "says nothing to search for: give words, a \"phrase\", a #topic or an operator such as from:.");
        }

        return new ParsedPostQuery(query, bookmarked);
    }

    private static bool IsOperatorName(ReadOnlySpan<char> name)
    {
        foreach (var c in name)
        {
            if (!char.IsAsciiLetter(c))
            {
                return false;
            }
        }

        return true;
    }

    private static string UserId(string name, string value)
    {
        var id = value.StartsWith('@') ? value[1..] : value;
        return Require.IsId(id) ? id : throw Fail.Invalid(Field, $"{name}: wants a user id, as in {name}:alice; '{value}' is not one.");
    }

    private static DateTimeOffset Date(string name, string value) =>
        DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)
            : throw Fail.Invalid(Field, $"{name}: wants a date as YYYY-MM-DD, as in {name}:2026-01-31; '{value}' is not one.");

    /// <summary>The query's parts: quoted phrases kept whole, a leading '-' marking an exclusion.</summary>
    private static List<(string Part, bool Quoted, bool Negated)> Split(string text)
    {
        var parts = new List<(string, bool, bool)>();
        var i = 0;
        while (i < text.Length)
        {
            if (char.IsWhiteSpace(text[i]))
            {
                i++;
                continue;
            }

            var negated = text[i] == '-' && i + 1 < text.Length && !char.IsWhiteSpace(text[i + 1]);
            if (negated)
            {
                i++;
            }

            if (text[i] == '"')
            {
                var end = text.IndexOf('"', i + 1);
                if (end < 0)
                {
                    throw Fail.Invalid(Field, "has a \" that is not closed.");
                }

                var phrase = text[(i + 1)..end].Trim();
                if (phrase.Length > 0)
                {
                    parts.Add((phrase, true, negated));
                }

                i = end + 1;
                continue;
            }

            var word = new StringBuilder();
            while (i < text.Length && !char.IsWhiteSpace(text[i]))
            {
                word.Append(text[i++]);
            }

            parts.Add((word.ToString(), false, negated));
        }

        return parts;
    }
}
