using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RseOrleans.Search;

namespace RseOrleans.Api.Search;

public static class SearchServiceCollectionExtensions
{
    /// <summary>
    /// Search: the embedded engine unless an engine was registered before (a test's, later the
    /// durable one), and the feeder that keeps it in step with the writes.
    /// </summary>
    public static IServiceCollection AddRseSearch(this IServiceCollection services)
    {
        services.TryAddSingleton<ISearchIndex>(_ => new LuceneSearchIndex());
        services.AddSingleton<SearchIndexFeeder>();
        services.AddHostedService(provider => provider.GetRequiredService<SearchIndexFeeder>());
        // The grains that own people and groups feed search through it (replacing their default, no search).
        services.AddSingleton<Grains.Search.ISearchFeed>(provider => provider.GetRequiredService<SearchIndexFeeder>());
        return services;
    }
}
