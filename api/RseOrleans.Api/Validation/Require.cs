using System.Text.RegularExpressions;
using RseOrleans.Api.Errors;

namespace RseOrleans.Api.Validation;

/// <summary>
/// Checks of request fields. Each returns the clean value or throws INVALID_ARGUMENT naming the
/// field, so a service method reads as the list of what it needs. Limits are documented in the README.
/// </summary>
internal static partial class Require
{
    public const int MaxRequestIdLength = 128;
    public const int MaxIdLength = 64;
    public const int MaxPostTextLength = 5000;
    public const int MaxCommentTextLength = 2000;
    public const int MaxGroupNameLength = 100;
    public const int MaxGroupDescriptionLength = 2000;
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;

    public static string RequestId(string value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw Fail.Invalid("request_id", "is required: a client-chosen unique id that makes retries safe.");
        }

        return value.Length <= MaxRequestIdLength
            ? value
            : throw Fail.Invalid("request_id", $"must be at most {MaxRequestIdLength} characters.");
    }

    /// <summary>User and group ids: lowercase letters, digits, '.', '_' and '-', starting with a letter or digit.</summary>
    public static string Id(string value, string field)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw Fail.Invalid(field, "is required.");
        }

        return IdPattern().IsMatch(value)
            ? value
            : throw Fail.Invalid(field, $"'{Truncate(value)}' is not a valid id (1 to {MaxIdLength} lowercase letters, digits, '.', '_' or '-').");
    }

    /// <summary>Whether <paramref name="value"/> has the shape of a user or group id, for callers that answer something other than INVALID_ARGUMENT.</summary>
    public static bool IsId(string? value) => value is not null && IdPattern().IsMatch(value);

    /// <summary>Post and comment ids: positive 64-bit numbers written in decimal.</summary>
    public static long NumericId(string value, string field)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw Fail.Invalid(field, "is required.");
        }

        return long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) && id > 0
            ? id
            : throw Fail.Invalid(field, $"'{Truncate(value)}' is not a valid id.");
    }

    public static string Text(string value, string field, int maxLength)
    {
        var text = value.Trim();
        if (text.Length == 0)
        {
            throw Fail.Invalid(field, "must not be empty.");
        }

        return text.Length <= maxLength
            ? text
            : throw Fail.Invalid(field, $"must be at most {maxLength} characters (got {text.Length}).");
    }

    public static string OptionalText(string value, string field, int maxLength)
    {
        var text = value.Trim();
        return text.Length <= maxLength
            ? text
            : throw Fail.Invalid(field, $"must be at most {maxLength} characters (got {text.Length}).");
    }

    public static int PageSize(int value) => value switch
    {
        0 => DefaultPageSize,
        < 0 => throw Fail.Invalid("page_size", "must not be negative."),
        > MaxPageSize => throw Fail.Invalid("page_size", $"must be at most {MaxPageSize}."),
        _ => value,
    };

    /// <summary>An enum value the API defines, other than its UNSPECIFIED zero.</summary>
    public static TEnum Defined<TEnum>(TEnum value, string field)
        where TEnum : struct, Enum
    {
        return Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture) != 0 && Enum.IsDefined(value)
            ? value
            : throw Fail.Invalid(field, $"must be one of {string.Join(", ", Enum.GetNames<TEnum>().Skip(1))}.");
    }

    private static string Truncate(string value) => value.Length <= 40 ? value : value[..40] + "…";

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();
}
