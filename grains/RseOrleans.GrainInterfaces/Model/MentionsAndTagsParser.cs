using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace RseOrleans.Model;

/// <summary>
/// Finds <c>@user-id</c> mentions and <c>#hashtags</c> in a post's or comment's text.
/// </summary>
/// <remarks>
/// <para>A marker counts at the start of the text or after a character that does not join words:
/// not after a letter, a digit or one of <c>. _ - + @ / \ # &amp; = % ~</c> (so <c>a@b.com</c> and
/// <c>page#part</c> are not markers), and never inside a URL (a word holding <c>://</c> or starting
/// with <c>www.</c>).</para>
/// <para>A mention is a user id (1 to 64 lowercase letters, digits, '.', '_' or '-', starting with
/// a letter or digit) followed by the end of the text or a character that is not a letter, a digit
/// or '@' (<c>@andré</c> and <c>@Alice</c> are not mentions). Trailing '.' and '-' end a sentence,
/// not the id, so an id ending in one of them cannot be mentioned.</para>
/// <para>A hashtag is a run of Unicode letters, digits, combining marks and '_' holding at least
/// one letter (<c>#2024</c> is not a tag), at most <see cref="MaxHashtagLength"/> characters once
/// normalised: Unicode NFC, then lower case (invariant), so <c>#Réseau</c>, <c>#réseau</c> and
/// <c>#RÉSEAU</c> are one tag, <c>réseau</c>. A longer run is not a tag (never cut).</para>
/// <para>Both are distinct, in order of first appearance; past <see cref="MaxMentions"/> mentions
/// or <see cref="MaxHashtags"/> tags, further ones are left as plain text.</para>
/// </remarks>
public static class MentionsAndTagsParser
{
    public const int MaxMentions = 50;
    public const int MaxHashtags = 30;
    public const int MaxHashtagLength = 100;
    private const int MaxIdLength = 64;
    private const string WordJoiners = "._-+@/\\#&=%~";

    public static MentionsAndTags Parse(string text)
    {
        if (text.AsSpan().IndexOfAny('@', '#') < 0)
        {
            return MentionsAndTags.None;
        }

        var mentions = new List<string>();
        var hashtags = new List<string>();
        var i = 0;
        while (i < text.Length)
        {
            var marker = text[i];
            if ((marker != '@' && marker != '#') || !StartsMarker(text, i))
            {
                i++;
                continue;
            }

            if (marker == '@')
            {
                i = ReadMention(text, i + 1, out var userId);
                if (userId is not null && mentions.Count < MaxMentions && !mentions.Contains(userId))
                {
                    mentions.Add(userId);
                }
            }
            else
            {
                i = ReadHashtag(text, i + 1, out var tag);
                if (tag is not null && hashtags.Count < MaxHashtags && !hashtags.Contains(tag))
                {
                    hashtags.Add(tag);
                }
            }
        }

        return mentions.Count == 0 && hashtags.Count == 0 ? MentionsAndTags.None : new MentionsAndTags(mentions, hashtags);
    }

    /// <summary>
    /// A topic as a caller names it (<c>Réseau</c> or <c>#Réseau</c>), normalised as in a text;
    /// false when it is not exactly one hashtag.
    /// </summary>
    public static bool TryNormalizeHashtag(string value, [NotNullWhen(true)] out string? tag)
    {
        var start = value.StartsWith('#') ? 1 : 0;
        var end = ReadHashtag(value, start, out tag);
        if (end != value.Length)
        {
            tag = null;
        }

        return tag is not null;
    }

    private static bool StartsMarker(string text, int index)
    {
        if (index == 0)
        {
            return true;
        }

        Rune.DecodeLastFromUtf16(text.AsSpan(0, index), out var before, out _);
        return !Rune.IsLetterOrDigit(before)
            && !IsMark(before)
            && !WordJoiners.Contains(text[index - 1], StringComparison.Ordinal)
            && !InUrl(text, index);
    }

    /// <summary>Whether the word around <paramref name="index"/>, up to it, is a URL.</summary>
    private static bool InUrl(string text, int index)
    {
        var start = index;
        while (start > 0 && !char.IsWhiteSpace(text[start - 1]))
        {
            start--;
        }

        var word = text.AsSpan(start, index - start);
        return word.Contains("://", StringComparison.Ordinal) || word.StartsWith("www.", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Reads the id after an '@'; returns where reading stopped.</summary>
    private static int ReadMention(string text, int start, out string? userId)
    {
        userId = null;
        var end = start;
        while (end < text.Length && IsIdCharacter(text[end]))
        {
            end++;
        }

        // "@andré", "@Alice", "@a@b": the id runs into what no id holds, so it is not one.
        if (end < text.Length && (text[end] == '@' || StartsLetterOrDigit(text, end)))
        {
            return end;
        }

        var idEnd = end;
        while (idEnd > start && text[idEnd - 1] is '.' or '-')
        {
            idEnd--;
        }

        var length = idEnd - start;
        if (length is > 0 and <= MaxIdLength && (char.IsAsciiLetterLower(text[start]) || char.IsAsciiDigit(text[start])))
        {
            userId = text[start..idEnd];
        }

        return end;
    }

    /// <summary>Reads the tag after a '#'; returns where reading stopped.</summary>
    private static int ReadHashtag(string text, int start, out string? tag)
    {
        tag = null;
        var end = start;
        var hasLetter = false;
        while (end < text.Length && Rune.DecodeFromUtf16(text.AsSpan(end), out var rune, out var width) == System.Buffers.OperationStatus.Done)
        {
            if (Rune.IsLetter(rune))
            {
                hasLetter = true;
            }
            else if (!Rune.IsDigit(rune) && rune.Value != '_' && !(IsMark(rune) && end > start))
            {
                break;
            }

            end += width;
        }

        if (hasLetter)
        {
            var normalized = Normalize(text[start..end]);
            tag = normalized.Length <= MaxHashtagLength ? normalized : null;
        }

        return end;
    }

    private static string Normalize(string tag)
    {
        // Lower case can undo a composition in rare scripts: compose again when it did.
        var lower = tag.Normalize(NormalizationForm.FormC).ToLowerInvariant();
        return lower.IsNormalized(NormalizationForm.FormC) ? lower : lower.Normalize(NormalizationForm.FormC);
    }

    private static bool IsIdCharacter(char c) => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '_' or '-';

    private static bool StartsLetterOrDigit(string text, int index) =>
        Rune.DecodeFromUtf16(text.AsSpan(index), out var rune, out _) == System.Buffers.OperationStatus.Done
        && (Rune.IsLetterOrDigit(rune) || IsMark(rune));

    private static bool IsMark(Rune rune) => Rune.GetUnicodeCategory(rune)
        is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark;
}
