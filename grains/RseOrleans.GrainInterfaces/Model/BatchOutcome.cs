namespace RseOrleans.Model;

/// <summary>
/// What became of one item of a batch call (a post of <c>PublishAll</c>, a reaction change of
/// <c>ApplyAll</c>): its result, or why it alone was refused or not stored, so that one item's
/// refusal does not fail the others sent with it.
/// </summary>
[GenerateSerializer, Immutable]
[Alias("rse.BatchOutcome`1")]
public sealed record BatchOutcome<T>(
    [property: Id(0)] T? Value,
    [property: Id(1)] DomainError Error,
    [property: Id(2)] string? Message)
    where T : class
{
    /// <summary>The result, or the refusal thrown as the single call would have thrown it.</summary>
    public T Unwrap() => Value ?? throw new DomainException(Error, Message ?? "Refused.");
}

public static class BatchOutcome
{
    public static BatchOutcome<T> Of<T>(T value)
        where T : class => new(value, default, null);

    public static BatchOutcome<T> Refused<T>(DomainError error, string message)
        where T : class => new(null, error, message);
}
