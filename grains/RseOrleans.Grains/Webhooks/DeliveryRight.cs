using Microsoft.Extensions.Configuration;
using RseOrleans.Model;

namespace RseOrleans.Grains.Webhooks;

/// <summary>
/// Whether a webhook's owner may receive an event now, asked at each delivery and not only at
/// subscription, so that no endpoint ever receives what its owner could not read at that moment.
/// A person: an account still active; for a group's webhook, still an admin or owner of that group;
/// for the network's, still a network admin who may read the group's content (a closed or secret
/// group's events reach network admins who are members only). An application (a service account,
/// owner <c>app:&lt;account id&gt;</c>): not disabled, still holding <c>webhooks.receive</c>, and
/// the scope to read the group, as <c>AccessPolicy</c> lets it read; it never has a network's webhook.
/// </summary>
internal static class DeliveryRight
{
    /// <summary>Why the owner may not receive the event now, or null when they may.</summary>
    public static Task<string?> RefusalAsync(IGrainFactory grains, IConfiguration configuration, WebhookState webhook, EngineEvent engineEvent) =>
        ApplicationAuthor.AccountOf(webhook.OwnerId!) is { } accountId
            ? ApplicationRefusalAsync(grains, accountId, webhook.GroupId, engineEvent)
            : PersonRefusalAsync(grains, configuration, webhook.OwnerId!, webhook.GroupId, engineEvent);

    private static async Task<string?> PersonRefusalAsync(IGrainFactory grains, IConfiguration configuration, string ownerId, string? groupId, EngineEvent engineEvent)
    {
        var account = await grains.GetGrain<IUserGrain>(ownerId).GetAccount();
        if (!account.IsActive)
        {
            return "skipped: the webhook's owner is no longer active.";
        }

        if (groupId is not null)
        {
            var access = await grains.GetGrain<IGroupGrain>(groupId).GetAccess(ownerId);
            return access.IsAdmin && engineEvent.GroupId == groupId ? null : "skipped: the webhook's owner no longer administers the group.";
        }

        var configuredAdmins = configuration.GetSection("Network:Admins").Get<string[]>() ?? [];
        if (account.Role != NetworkRole.Admin && !configuredAdmins.Contains(ownerId, StringComparer.Ordinal))
        {
            return "skipped: the webhook's owner is no longer a network admin.";
        }

        if (engineEvent.GroupId is { } eventGroup
            && !(await grains.GetGrain<IGroupGrain>(eventGroup).GetAccess(ownerId)).CanReadContent)
        {
            return "skipped: the webhook's owner may not read this group's content.";
        }

        return null;
    }

    private static async Task<string?> ApplicationRefusalAsync(IGrainFactory grains, string accountId, string? groupId, EngineEvent engineEvent)
    {
        var account = await grains.GetGrain<IServiceAccountGrain>(accountId).Get();
        if (account is not { Disabled: false })
        {
            return "skipped: the webhook's application is disabled.";
        }

        if (!account.Scopes.Contains(ServiceAccountScopes.ReceiveWebhooks))
        {
            return $"skipped: the webhook's application no longer has the scope '{ServiceAccountScopes.ReceiveWebhooks}'.";
        }

        // Created only on a group (the API refuses it the network's); a stored one without is refused all the same.
        if (groupId is null || engineEvent.GroupId != groupId || !ServiceAccountScopes.MayRead(account.Scopes, groupId))
        {
            return $"skipped: the webhook's application may not read this group: it needs the scope '{ServiceAccountScopes.Read(groupId ?? "")}'.";
        }

        return (await grains.GetGrain<IGroupGrain>(groupId).GetAccess(ApplicationAuthor.Of(accountId))).Exists
            ? null
            : "skipped: the webhook's group no longer exists.";
    }
}
