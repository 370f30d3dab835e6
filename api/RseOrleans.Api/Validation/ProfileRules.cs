using System.Text.RegularExpressions;
using RseOrleans.Api.Errors;
using RseOrleans.Model;
using V1 = RseOrleans.Api.V1;

namespace RseOrleans.Api.Validation;

/// <summary>What a valid profile is, and which fields an update mask may name.</summary>
internal static partial class ProfileRules
{
    public const int MaxNameLength = 100;
    public const int MaxSkills = 50;
    public const int MaxSkillLength = 50;
    public const int MaxLinks = 20;
    public const int MaxLinkTitleLength = 100;
    public const int MaxLinkUrlLength = 2048;

    private static readonly Dictionary<string, ProfileFields> MaskPaths = new(StringComparer.Ordinal)
    {
        ["display_name"] = ProfileFields.DisplayName,
        ["title"] = ProfileFields.Title,
        ["department"] = ProfileFields.Department,
        ["location"] = ProfileFields.Location,
        ["time_zone"] = ProfileFields.TimeZone,
        ["language"] = ProfileFields.Language,
        ["skills"] = ProfileFields.Skills,
        ["links"] = ProfileFields.Links,
    };

    public static UserProfile Validate(V1.Profile? profile, ProfileFields fields = ProfileFields.All)
    {
        if (profile is null)
        {
            throw Fail.Invalid("profile", "is required.");
        }

        return new UserProfile(
            DisplayName: fields.HasFlag(ProfileFields.DisplayName) ? Require.Text(profile.DisplayName, "profile.display_name", MaxNameLength) : "",
            Title: Require.OptionalText(profile.Title, "profile.title", MaxNameLength),
            Department: Require.OptionalText(profile.Department, "profile.department", MaxNameLength),
            Location: Require.OptionalText(profile.Location, "profile.location", MaxNameLength),
            TimeZone: fields.HasFlag(ProfileFields.TimeZone) ? TimeZone(profile.TimeZone) : "",
            Language: fields.HasFlag(ProfileFields.Language) ? Language(profile.Language) : "",
            Skills: fields.HasFlag(ProfileFields.Skills) ? Skills(profile.Skills) : [])
        {
            Links = fields.HasFlag(ProfileFields.Links) ? Links(profile.Links) : [],
        };
    }

    public static ProfileFields Mask(Google.Protobuf.WellKnownTypes.FieldMask? mask)
    {
        if (mask is null || mask.Paths.Count == 0)
        {
            return ProfileFields.All;
        }

        var fields = ProfileFields.None;
        foreach (var path in mask.Paths)
        {
            var name = path.StartsWith("profile.", StringComparison.Ordinal) ? path["profile.".Length..] : path;
            fields |= MaskPaths.TryGetValue(name, out var field)
                ? field
                : throw Fail.Invalid("update_mask", $"'{path}' is not a profile field ({string.Join(", ", MaskPaths.Keys)}).");
        }

        return fields;
    }

    private static string TimeZone(string value)
    {
        var zone = value.Trim();
        return zone.Length == 0 || TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _)
            ? zone
            : throw Fail.Invalid("profile.time_zone", $"'{zone}' is not a known IANA time zone (for example Europe/Paris).");
    }

    private static string Language(string value)
    {
        var language = value.Trim();
        return language.Length == 0 || LanguageTag().IsMatch(language)
            ? language
            : throw Fail.Invalid("profile.language", $"'{language}' is not a BCP 47 language tag (for example fr-FR).");
    }

    private static string[] Skills(IEnumerable<string> skills)
    {
        var clean = skills
            .Select(skill => skill.Trim())
            .Where(skill => skill.Length > 0)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToArray();
        if (clean.Length > MaxSkills)
        {
            throw Fail.Invalid("profile.skills", $"at most {MaxSkills} skills.");
        }

        var tooLong = Array.Find(clean, skill => skill.Length > MaxSkillLength);
        return tooLong is null
            ? clean
            : throw Fail.Invalid("profile.skills", $"each skill is at most {MaxSkillLength} characters.");
    }

    /// <summary>Quick links, in the order given: each with a title and an absolute http or https URL.</summary>
    private static QuickLink[] Links(Google.Protobuf.Collections.RepeatedField<V1.QuickLink> links)
    {
        if (links.Count > MaxLinks)
        {
            throw Fail.Invalid("profile.links", $"at most {MaxLinks} links (got {links.Count}).");
        }

        var clean = new QuickLink[links.Count];
        for (var i = 0; i < links.Count; i++)
        {
            var title = Require.Text(links[i].Title, $"profile.links[{i}].title", MaxLinkTitleLength);
            clean[i] = new QuickLink(title, LinkUrl(links[i].Url, $"profile.links[{i}].url"));
        }

        return clean;
    }

    private static string LinkUrl(string value, string field)
    {
        var url = Require.Text(value, field, MaxLinkUrlLength);
        return Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp) && uri.Host.Length > 0
            ? url
            : throw Fail.Invalid(field, "must be an absolute http or https URL, for example https://wiki.example.com/team.");
    }

    [GeneratedRegex("^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$", RegexOptions.CultureInvariant)]
    private static partial Regex LanguageTag();
}
