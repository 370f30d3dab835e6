using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace RseOrleans.Api.Http;

/// <summary>
/// Cross-origin calls from browser pages (JSON and gRPC-Web): only from the origins the
/// <c>Http:CorsOrigins</c> setting lists, none by default, so that a deployment opens the API to a
/// web application on purpose. Callers prove who they are with a bearer token, never a cookie, so
/// credentials are not allowed across origins.
/// </summary>
public static class CorsSetup
{
    public const string OriginsKey = "Http:CorsOrigins";

    public const string PolicyName = "rse-browsers";

    /// <summary>What a browser page may read of an answer besides the usual: the gRPC status of a gRPC-Web call.</summary>
    public static readonly string[] ExposedHeaders = ["grpc-status", "grpc-message", "grpc-status-details-bin"];

    public static IServiceCollection AddRseCors(this IServiceCollection services, IConfiguration configuration)
    {
        var origins = configuration.GetSection(OriginsKey).Get<string[]>() ?? [];
        foreach (var origin in origins)
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.AbsolutePath != "/" || origin.EndsWith('/'))
            {
                throw new InvalidOperationException($"{OriginsKey} holds '{origin}', which is no origin: write scheme://host[:port], without a path or a trailing '/'.");
            }
        }

        services.AddCors(options => options.AddPolicy(PolicyName, policy => policy
            .WithOrigins(origins)
            .AllowAnyMethod()
            .AllowAnyHeader()
            .WithExposedHeaders(ExposedHeaders)
            .SetPreflightMaxAge(TimeSpan.FromMinutes(10))));
        return services;
    }

    /// <summary>Answers preflights and marks allowed answers; with no origin configured it allows none.</summary>
    public static WebApplication UseRseCors(this WebApplication app)
    {
        app.UseCors(PolicyName);
        return app;
    }
}
