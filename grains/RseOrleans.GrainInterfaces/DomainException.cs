namespace RseOrleans;

/// <summary>What went wrong in domain terms; the API edge maps each to one gRPC status code.</summary>
[GenerateSerializer]
public enum DomainError
{
    InvalidArgument = 1,
    NotFound = 2,
    AlreadyExists = 3,
    PermissionDenied = 4,
    FailedPrecondition = 5,

    /// <summary>Storage the request needs cannot be reached; nothing was acknowledged, a retry is safe.</summary>
    Unavailable = 6,

    /// <summary>Another writer changed the state first; the grain has reloaded it, a retry is safe.</summary>
    Conflict = 7,
}

/// <summary>
/// A rule of the domain refused a request. Grains throw it; Orleans carries it to the caller,
/// and the gRPC edge turns it into a status with the same message.
/// </summary>
[GenerateSerializer]
[Alias("rse.DomainException")]
public sealed class DomainException : Exception
{
    public DomainException()
    {
    }

    public DomainException(string message)
        : base(message)
    {
    }

    public DomainException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public DomainException(DomainError error, string message)
        : base(message)
    {
        Error = error;
    }

    [Id(0)]
    public DomainError Error { get; init; } = DomainError.FailedPrecondition;

    public static DomainException NotFound(string what) => new(DomainError.NotFound, $"{what} was not found.");

    public static DomainException Denied(string message) => new(DomainError.PermissionDenied, message);

    public static DomainException Precondition(string message) => new(DomainError.FailedPrecondition, message);

    public static DomainException Unavailable(string message) => new(DomainError.Unavailable, message);

    public static DomainException Conflict(string message) => new(DomainError.Conflict, message);

    public static DomainException Invalid(string field, string message) => new(DomainError.InvalidArgument, $"{field}: {message}");
}
