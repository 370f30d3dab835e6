using Grpc.AspNetCore.Server.Model;
using Microsoft.Extensions.DependencyInjection;

namespace RseOrleans.Api.Errors;

internal static class CheckedParsing
{
    /// <summary>
    /// Binds gRPC services with <see cref="CheckedParsingMethodProvider{TService}"/> instead of
    /// grpc-dotnet's binder, which <c>AddGrpc</c> registers as the one open-generic method provider.
    /// </summary>
    public static IServiceCollection ReplaceDefaultBinder(this IServiceCollection services)
    {
        var binders = services.Where(service =>
            service.ServiceType == typeof(IServiceMethodProvider<>)
            && service.ImplementationType is { Name: "BinderServiceMethodProvider`1" }).ToList();
        if (binders.Count != 1)
        {
            // A grpc-dotnet release that registers its binder differently would map every method twice.
            throw new InvalidOperationException("grpc-dotnet's service binder was not found: call after AddGrpc.");
        }

        services.Remove(binders[0]);
        services.AddSingleton(typeof(IServiceMethodProvider<>), typeof(CheckedParsingMethodProvider<>));
        return services;
    }
}
