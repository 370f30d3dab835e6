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

    [Id(0)]
    public Dictionary<string, long> Outcomes { get; set; } = new(StringComparer.Ordinal);

    [Id(1)]
    public Queue<string> Order { get; set; } = new();

    public bool TryGet(string operation, string callerId, string requestId, out long outcome) =>
        Outcomes.TryGetValue(Key(operation, callerId, requestId), out outcome);

    public void Record(string operation, string callerId, string requestId, long outcome = 0)
    {
        var key = Key(operation, callerId, requestId);
        if (Outcomes.TryAdd(key, outcome))
        {
            Order.Enqueue(key);
            while (Order.Count > Capacity)
            {
                Outcomes.Remove(Order.Dequeue());
            }
        }
    }

    private static string Key(string operation, string callerId, string requestId) => $"{operation}\n{callerId}\n{requestId}";
}
