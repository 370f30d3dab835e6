using System.Collections.Concurrent;
using RseOrleans.Model;

namespace RseOrleans.Grains;

/// <summary>
/// What the grains active in this process publish for readers in the same process, so that a read
/// of a grain that lives here costs no grain call. A grain that has been read replaces its entry
/// after every call it answers, within that call and so before its caller hears of any change;
/// it removes the entry when a call fails and when it deactivates. An entry thus holds what a call
/// to the grain would answer. A reader that finds no entry calls the grain: a grain active on
/// another silo, or an API process that hosts no silo, always misses, and stays exact.
/// </summary>
public sealed class LocalReadModel
{
    /// <summary>Live posts, with no viewer's reactions (those live in the reaction shards).</summary>
    public LocalTable<long, PostSnapshot> Posts { get; } = new(EqualityComparer<long>.Default);

    /// <summary>Users by id, whether or not a profile exists (an erased user is an account only).</summary>
    public LocalTable<string, PublishedUser> Users { get; } = new(StringComparer.Ordinal);

    /// <summary>Existing groups by id.</summary>
    public LocalTable<string, GroupSnapshot> Groups { get; } = new(StringComparer.Ordinal);

    /// <summary>The hidden posts of each moderation scope.</summary>
    public LocalTable<string, IReadOnlySet<long>> HiddenPosts { get; } = new(StringComparer.Ordinal);

    /// <summary>The bookmarked post ids of each person.</summary>
    public LocalTable<string, IReadOnlySet<long>> Bookmarks { get; } = new(StringComparer.Ordinal);
}

/// <summary>One kind of published snapshot. Only the owning grain writes its key.</summary>
public sealed class LocalTable<TKey, TValue>(IEqualityComparer<TKey> comparer)
    where TKey : notnull
    where TValue : class
{
    private readonly ConcurrentDictionary<TKey, TValue> entries = new(comparer);

    public bool TryGet(TKey key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out TValue value) =>
        entries.TryGetValue(key, out value);

    public void Publish(TKey key, TValue value) => entries[key] = value;

    public void Withdraw(TKey key) => entries.TryRemove(key, out _);
}

/// <summary>A user as <see cref="IUserGrain.Get"/> and <see cref="IUserGrain.GetAccount"/> answer.</summary>
public sealed record PublishedUser(UserSnapshot? User, AccountSnapshot Account);
