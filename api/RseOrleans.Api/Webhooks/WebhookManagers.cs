using Grpc.Core;
using RseOrleans.Api.Access;
using RseOrleans.Api.Errors;
using RseOrleans.Api.Identity;
using RseOrleans.Api.ServiceAccounts;
using RseOrleans.Grains;
using RseOrleans.Model;

namespace RseOrleans.Api.Webhooks;

/// <summary>
/// Who may manage which webhooks. People: network admins the network's, a group's owners and
/// admins their group's. Applications (service accounts) with <c>webhooks.receive</c>: their own
/// webhooks, on the groups they may read (<c>groups.read:</c>, or <c>groups.post:</c>, which reads
/// too), never the network's. Out of scope is PERMISSION_DENIED naming the scope; another's webhook
/// does not exist for an application (NOT_FOUND). What an owner may receive is checked again at
/// each delivery, by the webhook grain.
/// </summary>
public sealed class WebhookManagers(IGrainFactory grains, CallerIdentity identity, AccessPolicy access)
{
    /// <summary>The caller, person or application; an application without <c>webhooks.receive</c> is refused here.</summary>
    public async Task<WebhookManager> RequireCallerAsync(ServerCallContext context)
    {
        if (await identity.ServiceCallerAsync(context) is { } application)
        {
            if (!application.Account.Scopes.Contains(ServiceAccountScopes.ReceiveWebhooks))
            {
                throw Fail.Denied($"Service account '{application.ServiceAccountId}' may not manage webhooks: it needs the scope '{ServiceAccountScopes.ReceiveWebhooks}'.");
            }

            return new WebhookManager(application.AuthorId, null, application);
        }

        var person = await identity.RequireCallerAccountAsync(context);
        return new WebhookManager(person.UserId, person, null);
    }

    /// <summary>Refuses a caller who may not manage the webhooks of this scope (a group, or null for the network).</summary>
    public async Task RequireMayManageAsync(WebhookManager manager, string? groupId)
    {
        if (manager.Application is { } application)
        {
            await RequireApplicationMayManageAsync(application, groupId);
            return;
        }

        var person = manager.Person!;
        if (groupId is null)
        {
            AccessPolicy.RequireNetworkAdmin(person, "manage network-wide webhooks");
            return;
        }

        if (!(await access.RequireVisibleGroup(groupId, person.UserId)).IsAdmin)
        {
            throw Fail.Denied($"Only the owners and admins of group '{groupId}' manage its webhooks.");
        }
    }

    /// <summary>The webhook, if the caller manages it; NOT_FOUND when it does not exist for them.</summary>
    public async Task<WebhookSnapshot> RequireManagedAsync(WebhookManager manager, string webhookId)
    {
        var webhook = await grains.GetGrain<IWebhookGrain>(webhookId).Get();
        if (webhook is null || !manager.Sees(webhook))
        {
            throw Fail.NotFound($"Webhook '{webhookId}'");
        }

        await RequireMayManageAsync(manager, webhook.GroupId);
        return webhook;
    }

    private async Task RequireApplicationMayManageAsync(ServiceCaller application, string? groupId)
    {
        if (groupId is null)
        {
            throw Fail.Denied($"Service account '{application.ServiceAccountId}' may not manage network-wide webhooks: they are network admins'; an application subscribes to the groups it may read.");
        }

        if (!ServiceAccountScopes.MayRead(application.Account.Scopes, groupId))
        {
            throw Fail.Denied($"Service account '{application.ServiceAccountId}' may not subscribe to group '{groupId}': it needs the scope '{ServiceAccountScopes.Read(groupId)}'.");
        }

        // As for reading its feed: a group that no longer exists is NOT_FOUND.
        await access.RequireReadableGroup(groupId, application.AuthorId);
    }
}

/// <summary>
/// A caller managing webhooks: a person, or an application. <see cref="OwnerId"/> is what a webhook
/// it creates stores as its owner (a user id, or <c>app:&lt;account id&gt;</c>).
/// </summary>
public sealed record WebhookManager(string OwnerId, Caller? Person, ServiceCaller? Application)
{
    /// <summary>A person sees every webhook of a scope they manage; an application its own only.</summary>
    public bool Sees(WebhookSnapshot webhook) => Application is null || webhook.OwnerId == OwnerId;
}
