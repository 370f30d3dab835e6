using RseOrleans.Grains;
using RseOrleans.Model;

namespace RseOrleans.Benchmarks;

/// <summary>The readers of the feed-read benchmarks: each follows 50 colleagues who posted 20 times each.</summary>
internal static class ColleagueNetwork
{
    private const int Colleagues = 50;
    private const int PostsEach = 20;

    public static async Task SeedAsync(IGrainFactory grains, IReadOnlyList<string> readers)
    {
        var profile = new UserProfile("Colleague", "Engineer", "Engineering", "Paris", "Europe/Paris", "fr-FR", ["Orleans"]);
        foreach (var reader in readers)
        {
            await grains.GetGrain<IUserGrain>(reader).Create(profile with { DisplayName = "Reader" });
        }

        for (var a = 0; a < Colleagues; a++)
        {
            var author = $"author-{a}";
            await grains.GetGrain<IUserGrain>(author).Create(profile);
            for (var p = 0; p < PostsEach; p++)
            {
                (await grains.GetGrain<ISourceGrain>(SourceId.User(author).Key).PublishAll([new NewPost(author, $"Update {p} from {author}")]))[0].Unwrap();
            }

            await Task.WhenAll(readers.Select(reader => grains.GetGrain<IUserGrain>(reader).Follow(author)));
        }
    }
}
