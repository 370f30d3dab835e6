using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RseOrleans.Grains.Fanout;
using RseOrleans.Grains.Infrastructure;

namespace RseOrleans.Grains;

public static class GrainServiceCollectionExtensions
{
    /// <summary>Registers what the grains need beside Orleans itself: settings, clock and id generator.</summary>
    public static IServiceCollection AddRseGrainServices(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<FeedOptions>(configuration.GetSection(FeedOptions.Section));
        services.Configure<IdOptions>(configuration.GetSection(IdOptions.Section));
        services.Configure<ReactionOptions>(configuration.GetSection(ReactionOptions.Section));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<TimeOrderedIdGenerator>();
        services.TryAddSingleton<PulledSourceCache>();
        return services;
    }
}
