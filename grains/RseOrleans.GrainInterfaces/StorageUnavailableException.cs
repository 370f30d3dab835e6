namespace RseOrleans;

/// <summary>
/// A store the engine needs (PostgreSQL, Redis) did not answer. Thrown at the storage boundary in
/// place of the client library's own exception, which Orleans cannot carry from one silo to
/// another; it keeps only words, so that it crosses any silo boundary and reaches the gRPC edge as
/// UNAVAILABLE. What the client library said is logged where it happened.
/// </summary>
[GenerateSerializer]
[Alias("rse.StorageUnavailableException")]
public sealed class StorageUnavailableException : Exception
{
    public StorageUnavailableException()
    {
    }

    public StorageUnavailableException(string message)
        : base(message)
    {
    }

    public StorageUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public StorageUnavailableException(string store, string message)
        : base(message)
    {
        Store = store;
    }

    /// <summary>Which store failed: "PostgreSQL" or "Redis".</summary>
    [Id(0)]
    public string Store { get; init; } = "";
}
