namespace RseOrleans.Grains.Analytics;

/// <summary>
/// One numbered person as stored: the id (null once erased, and the number is never given again),
/// the places ("" when not known), whether they ever acted (activation) and whether their places
/// were set from their profile.
/// </summary>
[GenerateSerializer, Immutable]
[Alias("rse.analytics.PersonRow")]
public sealed record PersonRow(
    [property: Id(0)] int Number,
    [property: Id(1)] string? UserId,
    [property: Id(2)] string Department,
    [property: Id(3)] string Location,
    [property: Id(4)] string Region,
    [property: Id(5)] bool Activated,
    [property: Id(6)] bool Placed);

/// <summary>
/// Where <see cref="AnalyticsPeopleGrain"/> keeps the people it numbered, a row per number, so that
/// a call writes the rows it added or changed and not the whole network. The grain owns the rows
/// and is their only writer (one activation); the store is its storage. Durable mode: a PostgreSQL
/// table. Embedded default: pages of rows in grain storage (memory), lost with the process as the
/// rest of its state.
/// </summary>
public interface IAnalyticsPeopleStore
{
    /// <summary>Every stored row, lowest number first; none when nothing was stored yet.</summary>
    Task<IReadOnlyList<PersonRow>> LoadAsync();

    /// <summary>
    /// Stores <paramref name="rows"/> as they are, added or replaced by number. A failure may leave
    /// some stored (the embedded pages before the one that failed), never a row past a missing one.
    /// </summary>
    Task WriteAsync(IReadOnlyList<PersonRow> rows);
}
