using Microsoft.Extensions.DependencyInjection;
using Orleans.Metadata;
using Orleans.Serialization;
using Orleans.Serialization.TypeSystem;
using RseOrleans.Grains;
using RseOrleans.Grains.Infrastructure;

namespace RseOrleans.Tests.Engine;

/// <summary>The remembered names of the grain interfaces are the ones Orleans gives them.</summary>
public sealed class RememberedGrainInterfaceTypesTests
{
    private static readonly TypeConverter Types = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<TypeConverter>();

    [Fact]
    public void Every_grain_interface_of_the_engine_gets_the_name_Orleans_gives_it()
    {
        var remembered = new RememberedGrainInterfaceTypes(Types);
        var orleans = new GrainInterfaceTypeResolver([], Types);
        var interfaces = typeof(IFeedGrain).Assembly.GetTypes().Where(type => type.IsInterface && typeof(IAddressable).IsAssignableFrom(type)).ToArray();

        Assert.NotEmpty(interfaces);
        foreach (var type in interfaces)
        {
            Assert.True(remembered.TryGetGrainInterfaceType(type, out var name), type.Name);
            Assert.Equal(orleans.GetGrainInterfaceType(type), name);
            Assert.True(remembered.TryGetGrainInterfaceType(type, out var again));
            Assert.Equal(name, again);
        }
    }

    [Fact]
    public void Orleans_own_interfaces_are_left_to_Orleans() =>
        Assert.False(new RememberedGrainInterfaceTypes(Types).TryGetGrainInterfaceType(typeof(Orleans.Storage.IMemoryStorageGrain), out _));
}
