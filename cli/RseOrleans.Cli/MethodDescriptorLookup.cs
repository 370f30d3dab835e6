using Google.Protobuf.Reflection;

namespace RseOrleans.Cli;

/// <summary>A service's RPCs by name, failing loudly on a name the API does not have.</summary>
internal readonly struct MethodDescriptorLookup(ServiceDescriptor service)
{
    public MethodDescriptor this[string name] =>
        service.FindMethodByName(name) ?? throw new InvalidOperationException($"{service.FullName} has no RPC {name}.");
}
