using RseOrleans.Grains;
using RseOrleans.Search;

namespace RseOrleans.Storage.Search;

/// <summary>A person's or a group's search entry as its grain holds it now.</summary>
public sealed class OwnerEntries(PostgresSearchIndex index, IGrainFactory grains)
{
    /// <summary>Indexes the person; false when their grain holds no profile (erased, or never created).</summary>
    public async Task<bool> IndexPersonAsync(string userId, CancellationToken cancellationToken)
    {
        if (await grains.GetGrain<IUserGrain>(userId).Get() is not { } user)
        {
            return false;
        }

        var profile = user.Profile;
        await index.IndexPersonAsync(new IndexedPerson(user.UserId, profile.DisplayName, profile.Title, profile.Department, profile.Location, profile.Language, profile.Skills), cancellationToken);
        return true;
    }

    /// <summary>Indexes the group; false when its grain holds none.</summary>
    public async Task<bool> IndexGroupAsync(string groupId, CancellationToken cancellationToken)
    {
        if (await grains.GetGrain<IGroupGrain>(groupId).Get() is not { } group)
        {
            return false;
        }

        await index.IndexGroupAsync(new IndexedGroup(group.GroupId, group.Spec.Name, group.Spec.Description, group.Spec.Visibility.ToString().ToLowerInvariant()), cancellationToken);
        return true;
    }
}
