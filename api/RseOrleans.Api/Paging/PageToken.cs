using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;
using RseOrleans.Api.Errors;

namespace RseOrleans.Api.Paging;

/// <summary>
/// Opaque page tokens and feed cursors: the position to resume after, tagged with the kind of
/// list it belongs to so that a token of one list is refused by another.
/// </summary>
internal static class PageToken
{
    public const string Home = "home";
    public const string Group = "group";
    public const string Profile = "profile";
    public const string Followers = "followers";
    public const string Following = "following";
    public const string Members = "members";
    public const string Comments = "comments";
    public const string Audit = "audit";
    public const string Reports = "reports";
    public const string Bookmarks = "bookmarks";
    public const string Topic = "topic";
    public const string Topics = "topics";
    public const string Notifications = "notifications";
    public const string NotificationChanges = "notification-changes";

    private const string Version = "1";

    public static string Encode(string kind, string position) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{Version}|{kind}|{position}"));

    /// <summary>
    /// The same token as <c>Encode(kind, position.ToString())</c>, built in a stack buffer: every
    /// item of every feed page carries one, so it costs one string instead of four.
    /// </summary>
    public static string Encode(string kind, long position)
    {
        Span<byte> text = stackalloc byte[64];
        var length = 0;
        text[length++] = (byte)Version[0];
        text[length++] = (byte)'|';
        if (kind.Length > 32 || Ascii.FromUtf16(kind, text[length..], out var kindBytes) != OperationStatus.Done)
        {
            return Encode(kind, position.ToString(CultureInfo.InvariantCulture));
        }

        length += kindBytes;
        text[length++] = (byte)'|';
        position.TryFormat(text[length..], out var digits, default, CultureInfo.InvariantCulture);
        return Base64Url.EncodeToString(text[..(length + digits)]);
    }

    /// <summary>The next_page_token for a page that ended at <paramref name="next"/>: empty on the last page.</summary>
    public static string Next(string kind, string? next) => next is null ? "" : Encode(kind, next);

    public static string Next(string kind, long? next) => next is { } position ? Encode(kind, position) : "";

    /// <summary>The position in a token, or null for an empty token (the first page).</summary>
    public static string? Decode(string token, string kind, string field = "page_token")
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        string text;
        try
        {
            text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
        }
        catch (FormatException)
        {
            throw Malformed(field);
        }

        var parts = text.Split('|', 3);
        return parts.Length == 3 && parts[0] == Version && parts[1] == kind && parts[2].Length > 0
            ? parts[2]
            : throw Malformed(field);
    }

    public static long? DecodeNumber(string token, string kind, string field = "page_token")
    {
        var position = Decode(token, kind, field);
        if (position is null)
        {
            return null;
        }

        return long.TryParse(position, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Malformed(field);
    }

    private static Grpc.Core.RpcException Malformed(string field) =>
        Fail.Invalid(field, "is not a token this list returned; pass back next_page_token (or a cursor) exactly as received.");
}
