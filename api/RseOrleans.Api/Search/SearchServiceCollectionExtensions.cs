using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RseOrleans.Search;

namespace RseOrleans.Api.Search;

public static class SearchServiceCollectionExtensions
{
    /// <summary>
    /// Search: the embedded engine unless an engine was registered before (a test's, or the
    /// durable one), the checks and rankings the API's search service uses, and, unless
    /// <c>Search:Indexing</c> is off, the feeder that keeps the index in step with what the grains store.
    /// </summary>
    public static IServiceCollection AddRseSearch(this IServiceCollection services, SearchOptions search)
    {
        services.TryAddSingleton<ISearchIndex>(_ => new LuceneSearchIndex());
        services.AddSingleton<ReadableHits>();
        services.AddSingleton<ExpertFinder>();
        services.AddSingleton<NewcomerSuggestions>();
        if (!search.Indexing)
        {
            return services;
        }

        services.AddSingleton<SearchIndexFeeder>();
        services.AddHostedService(provider => provider.GetRequiredService<SearchIndexFeeder>());
        // It follows the engine events of the grains of this process.
        services.AddSingleton<Grains.Events.IEngineEventListener>(provider => provider.GetRequiredService<SearchIndexFeeder>());
        return services;
    }

    /// <summary>The <c>Search:*</c> settings, read where the services are chosen (the API's and durable mode's).</summary>
    public static SearchOptions SearchSettings(this IConfiguration configuration) =>
        configuration.GetSection(SearchOptions.Section).Get<SearchOptions>() ?? new SearchOptions();
}
