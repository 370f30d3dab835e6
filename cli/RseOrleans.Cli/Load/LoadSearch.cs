using RseOrleans.Api.V1;

namespace RseOrleans.Cli.Load;

/// <summary>
/// The load run's searches: what a person types in a search box, over the words the run's posts
/// carry ("Load post N"), now and then narrowed to an author or a group of the seeded network.
/// </summary>
internal static class LoadSearch
{
    private static readonly string[] Words = ["load", "post", "load post", "\"load post\"", "post -comment"];

    public static SearchPostsRequest Request(int choice, SeededNetwork network)
    {
        var words = Words[choice % Words.Length];
        var query = (choice / Words.Length % 4) switch
        {
            1 => $"{words} from:{network.Users[choice % network.Users.Length]}",
            2 when network.Groups.Length > 0 => $"{words} in:{network.Groups[choice % network.Groups.Length]}",
            _ => words,
        };
        return new SearchPostsRequest { Query = query, PageSize = 20 };
    }
}
