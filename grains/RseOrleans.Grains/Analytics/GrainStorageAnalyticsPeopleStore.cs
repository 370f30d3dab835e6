using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using RseOrleans.Model;

namespace RseOrleans.Grains.Analytics;

/// <summary>A page of <see cref="GrainStorageAnalyticsPeopleStore"/>: the rows of its numbers, by number within the page.</summary>
[GenerateSerializer]
[Alias("rse.analytics.PeoplePage")]
public sealed class PeoplePage
{
    [Id(0)]
    public List<PersonRow?> Rows { get; set; } = [];
}

/// <summary>
/// The embedded default: the rows in pages of <see cref="PageSize"/> numbers, each page one value in
/// grain storage (memory), so that they outlive the grain's deactivation, and a move to another
/// silo, as grain state does, and a write stores the pages its rows fall in, not every person.
/// It keeps the pages as it loaded or wrote them: it is the storage of the one people grain, which
/// loads before it writes.
/// </summary>
public sealed class GrainStorageAnalyticsPeopleStore(IServiceProvider services) : IAnalyticsPeopleStore
{
    /// <summary>Numbers a page holds: a call numbering one person stores one page of this many rows, not the network.</summary>
    public const int PageSize = 1_000;

    public const string StateName = "analytics-people-page";

    private readonly List<GrainState<PeoplePage>> pages = [];

    private IGrainStorage? storage;

    // Resolved at first use: the storage providers are registered by the host after the grain services.
    private IGrainStorage Storage => storage ??= services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Main);

    public async Task<IReadOnlyList<PersonRow>> LoadAsync()
    {
        pages.Clear();
        while (true)
        {
            var page = new GrainState<PeoplePage>(new PeoplePage());
            await Storage.ReadStateAsync(StateName, IdOf(pages.Count), page);
            if (!page.RecordExists)
            {
                break;
            }

            pages.Add(page);
        }

        return [.. pages.SelectMany(page => page.State?.Rows ?? []).OfType<PersonRow>()];
    }

    public async Task WriteAsync(IReadOnlyList<PersonRow> rows)
    {
        // Lowest page first, stopping at the first failure: a page is never stored past one that
        // is missing, which would end the load before it.
        foreach (var inPage in rows.GroupBy(row => row.Number / PageSize).OrderBy(group => group.Key))
        {
            while (pages.Count <= inPage.Key)
            {
                pages.Add(new GrainState<PeoplePage>(new PeoplePage()));
            }

            // Changed in a copy, kept once stored: the pages kept are what the storage holds.
            var page = pages[inPage.Key];
            List<PersonRow?> changed = [.. page.State?.Rows ?? []];
            foreach (var row in inPage)
            {
                var index = row.Number % PageSize;
                while (changed.Count <= index)
                {
                    changed.Add(null);
                }

                changed[index] = row;
            }

            var written = new GrainState<PeoplePage>(new PeoplePage { Rows = changed }) { ETag = page.ETag, RecordExists = page.RecordExists };
            await Storage.WriteStateAsync(StateName, IdOf(inPage.Key), written);
            pages[inPage.Key] = written;
        }
    }

    private static GrainId IdOf(int page) => GrainId.Create(StateName, page.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
