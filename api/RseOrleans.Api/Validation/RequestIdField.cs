using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace RseOrleans.Api.Validation;

/// <summary>
/// The <c>request_id</c> field of a request type, looked up once per type: in rse.v1 a request with
/// one is a write, a request without one is a read.
/// </summary>
internal static class RequestIdField<TRequest>
{
    /// <summary>The field's accessor, or null for a read.</summary>
    public static readonly IFieldAccessor? Accessor =
        typeof(IMessage).IsAssignableFrom(typeof(TRequest)) && typeof(TRequest).GetConstructor(Type.EmptyTypes) is not null
            ? ((IMessage)Activator.CreateInstance<TRequest>()!).Descriptor.FindFieldByName("request_id")?.Accessor
            : null;

    public static bool IsRead => Accessor is null;
}
