namespace RseOrleans.Grains.Infrastructure;

/// <summary>What <see cref="LocalPublishingFilter"/> asks of a grain's publication.</summary>
internal interface ILocalPublication
{
    /// <summary>Replaces the grain's entry with its current state, once someone has read the grain.</summary>
    void Publish();

    /// <summary>Removes the grain's entry: readers call the grain until it publishes again.</summary>
    void Withdraw();
}

/// <summary>What a publishing grain would answer now; null when there is nothing to show (readers then miss and ask it).</summary>
internal interface IHasPublishedValue<out TValue>
    where TValue : class
{
    TValue? PublishedValue();
}

/// <summary>
/// One grain's entry in a <see cref="LocalTable{TKey, TValue}"/>, written once for every grain that
/// publishes: the grain says when it has been read (<see cref="MarkRead"/>) and what it would answer
/// (<see cref="IHasPublishedValue{TValue}"/>: the grain itself, not a delegate, as every post and
/// user in memory holds a publication); the filter publishes and withdraws; the grain's deactivation
/// calls <see cref="Stop"/>.
/// </summary>
/// <remarks>
/// Only grains someone reads are published: an entry for a grain nobody reads would cost silo memory
/// for nothing. A grain creates its publication at its first call, not in its constructor, where its
/// key is not known yet.
/// </remarks>
internal sealed class LocalPublication<TKey, TValue>(LocalTable<TKey, TValue> table, TKey key, IHasPublishedValue<TValue> owner) : ILocalPublication
    where TKey : notnull
    where TValue : class
{
    private bool read;

    /// <summary>Called by the grain's read methods: from now on its entry is kept up to date.</summary>
    public void MarkRead() => read = true;

    public void Publish()
    {
        if (!read)
        {
            return;
        }

        if (owner.PublishedValue() is { } value)
        {
            table.Publish(key, value);
        }
        else
        {
            Withdraw();
        }
    }

    public void Withdraw() => table.Withdraw(key);

    /// <summary>The grain is deactivating: its entry goes, and a new activation starts unread.</summary>
    public void Stop()
    {
        read = false;
        Withdraw();
    }
}
