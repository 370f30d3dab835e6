using RseOrleans.Api.Access;
using RseOrleans.Model;

namespace RseOrleans.Api.Hydration;

/// <summary>
/// The names a viewer is shown for the people some texts mention: the current display name of each
/// person the viewer may see, as <c>GetUser</c> would answer them, and nothing for anyone else. An
/// id that names nobody and a person hidden from the viewer look the same, so a mention tells its
/// author nothing that <c>GetUser</c> would not.
/// </summary>
internal static class MentionNames
{
    private static readonly IReadOnlyDictionary<string, string> None = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The people the texts mention, each once.</summary>
    public static IReadOnlyCollection<string> MentionedIn(IEnumerable<MentionsAndTags> texts)
    {
        HashSet<string>? mentioned = null;
        foreach (var text in texts)
        {
            if (text.Mentions.Count > 0)
            {
                (mentioned ??= new HashSet<string>(StringComparer.Ordinal)).UnionWith(text.Mentions);
            }
        }

        return mentioned is null ? [] : mentioned;
    }

    /// <summary>
    /// Display names by id, of the mentioned people the viewer may see; <paramref name="users"/>
    /// holds every one of them, loaded with the authors of the same page.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, string>> VisibleToAsync(
        AccessPolicy access, string viewerId, IReadOnlyCollection<string> mentioned, IReadOnlyDictionary<string, UserSnapshot?> users)
    {
        if (mentioned.Count == 0)
        {
            return None;
        }

        var existing = mentioned.Where(id => users[id] is not null).ToArray();
        if (existing.Length == 0)
        {
            return None;
        }

        var visible = await access.VisibleAmong(viewerId, existing);
        return visible.ToDictionary(id => id, id => users[id]!.Profile.DisplayName, StringComparer.Ordinal);
    }
}
