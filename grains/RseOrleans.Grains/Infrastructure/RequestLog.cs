namespace RseOrleans.Grains.Infrastructure;

/// <summary>
/// Remembers the outcome of recent mutating requests so that a client's retry (same caller,
/// operation and request id) returns the first outcome instead of acting twice. Part of the
/// grain's persisted state, so it survives with it; bounded, oldest forgotten first.
/// </summary>
[GenerateSerializer]
[Alias("rse.RequestLog")]
public sealed class RequestLog
{
    public const int Capacity = 512;

    // Created by the first request recorded: many states never log one (the source of a user who
    // has not posted, for one), and an empty dictionary and queue cost about 120 bytes in every
    // active grain that holds them.
    // Fields with the [Id]s the former properties had, so states stored before read the same; an
    // empty log is stored as absent.
    [Id(0)]
    private Dictionary<string, long>? outcomes;

    [Id(1)]
    private Queue<string>? order;

    public bool TryGet(string operation, string callerId, string requestId, out long outcome)
    {
        if (outcomes is null)
        {
            outcome = 0;
            return false;
        }

        return outcomes.TryGetValue(Key(operation, callerId, requestId), out outcome);
    }

    public void Record(string operation, string callerId, string requestId, long outcome = 0)
    {
        var key = Key(operation, callerId, requestId);
        outcomes ??= new(StringComparer.Ordinal);
        if (outcomes.TryAdd(key, outcome))
        {
            order ??= new();
            order.Enqueue(key);
            while (order.Count > Capacity)
            {
                outcomes.Remove(order.Dequeue());
            }
        }
    }

    private static string Key(string operation, string callerId, string requestId) => $"{operation}\n{callerId}\n{requestId}";
}
