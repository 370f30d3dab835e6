using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace RseOrleans.Api.ServiceAccounts;

public static class ServiceAccountServiceCollectionExtensions
{
    /// <summary>Service account tokens and the calls applications make with them.</summary>
    public static IServiceCollection AddRseServiceAccounts(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<ServiceAccountOptions>(configuration.GetSection(ServiceAccountOptions.Section));
        services.AddSingleton<ServiceTokenVerifier>();
        services.AddSingleton<ApplicationCalls>();
        return services;
    }
}
