using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Metadata;
using Orleans.Serialization.TypeSystem;

namespace RseOrleans.Grains.Infrastructure;

/// <summary>
/// The Orleans name of each of this engine's grain interfaces, worked out once. Orleans 10.4
/// works it out again at every <c>GetGrain</c>: a look for attributes by reflection, then the
/// interface's type name formatted and parsed, which took 2.6 % of the engine's CPU and 3.7 % of
/// what it allocated under the load generator's mix. The name is the one Orleans' convention
/// gives; interfaces that name themselves by attribute, and Orleans' own, are left to Orleans.
/// Asked before Orleans' providers (<see cref="AddRememberedGrainInterfaceTypes"/>).
/// </summary>
public sealed class RememberedGrainInterfaceTypes(TypeConverter typeConverter) : IGrainInterfaceTypeProvider
{
    private readonly GrainInterfaceTypeResolver convention = new([], typeConverter);
    private readonly ConcurrentDictionary<Type, GrainInterfaceType?> names = new();

    public bool TryGetGrainInterfaceType(Type type, out GrainInterfaceType grainInterfaceType)
    {
        var name = names.GetOrAdd(type, static (type, convention) => IsOurs(type) ? convention.GetGrainInterfaceTypeByConvention(type) : null, convention);
        grainInterfaceType = name ?? default;
        return name is not null;
    }

    private static bool IsOurs(Type type) =>
        type.Assembly.GetName().Name?.StartsWith("RseOrleans.", StringComparison.Ordinal) == true
        && !type.GetCustomAttributes().OfType<IGrainInterfaceTypeProviderAttribute>().Any();
}

public static class RememberedGrainInterfaceTypesExtensions
{
    /// <summary>First among the providers, which Orleans asks in the order they were registered.</summary>
    public static IServiceCollection AddRememberedGrainInterfaceTypes(this IServiceCollection services)
    {
        services.Insert(0, ServiceDescriptor.Singleton<IGrainInterfaceTypeProvider, RememberedGrainInterfaceTypes>());
        return services;
    }
}
