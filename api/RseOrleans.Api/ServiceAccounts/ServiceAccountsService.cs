using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using RseOrleans.Api.Access;
using RseOrleans.Api.Errors;
using RseOrleans.Api.Identity;
using RseOrleans.Api.Reads;
using RseOrleans.Api.V1;
using RseOrleans.Api.Validation;
using RseOrleans.Grains;
using RseOrleans.Model;

namespace RseOrleans.Api.ServiceAccounts;

/// <summary>Service accounts and their tokens, run by network admins.</summary>
public sealed class ServiceAccountsService(IGrainFactory grains, CallerIdentity identity, GrainReads reads, ServiceTokenVerifier verifier, TimeProvider clock)
    : V1.ServiceAccounts.ServiceAccountsBase
{
    public const int MaxDisplayNameLength = 100;

    public const int DefaultValidDays = 90;

    public const int MaxValidDays = 365;

    public override async Task<ServiceAccount> CreateServiceAccount(CreateServiceAccountRequest request, ServerCallContext context)
    {
        var caller = await RequireAdminAsync(context);
        Require.RequestId(request.RequestId);
        var id = Require.Id(request.ServiceAccountId, "service_account_id");
        var displayName = Require.Text(request.DisplayName, "display_name", MaxDisplayNameLength);
        var scopes = await RequireScopesAsync(request.Scopes);
        return ToProto(await Account(id).Create(displayName, caller.UserId, scopes));
    }

    public override async Task<ListServiceAccountsResponse> ListServiceAccounts(ListServiceAccountsRequest request, ServerCallContext context)
    {
        await RequireAdminAsync(context);
        var ids = await grains.GetGrain<IServiceAccountDirectoryGrain>(IServiceAccountDirectoryGrain.NetworkKey).List();
        var accounts = await Task.WhenAll(ids.Select(id => Account(id).Get()));
        var response = new ListServiceAccountsResponse();
        response.ServiceAccounts.AddRange(accounts.OfType<ServiceAccountSnapshot>().Select(ToProto));
        return response;
    }

    public override async Task<ServiceAccount> GetServiceAccount(GetServiceAccountRequest request, ServerCallContext context)
    {
        await RequireAdminAsync(context);
        var id = Require.Id(request.ServiceAccountId, "service_account_id");
        return ToProto(await Account(id).Get() ?? throw Fail.NotFound($"Service account '{id}'"));
    }

    public override async Task<ServiceAccount> UpdateServiceAccountScopes(UpdateServiceAccountScopesRequest request, ServerCallContext context)
    {
        await RequireAdminAsync(context);
        Require.RequestId(request.RequestId);
        var id = Require.Id(request.ServiceAccountId, "service_account_id");
        var scopes = await RequireScopesAsync(request.Scopes);
        var account = await Account(id).SetScopes(scopes);
        verifier.Forget(id);
        return ToProto(account);
    }

    public override async Task<ServiceAccount> DisableServiceAccount(DisableServiceAccountRequest request, ServerCallContext context)
    {
        await RequireAdminAsync(context);
        Require.RequestId(request.RequestId);
        var id = Require.Id(request.ServiceAccountId, "service_account_id");
        var account = await Account(id).Disable();
        verifier.Forget(id);
        return ToProto(account);
    }

    public override async Task<IssuedToken> IssueToken(IssueTokenRequest request, ServerCallContext context)
    {
        await RequireAdminAsync(context);
        var id = Require.Id(request.ServiceAccountId, "service_account_id");
        var days = request.ValidDays switch
        {
            0 => DefaultValidDays,
            >= 1 and <= MaxValidDays => request.ValidDays,
            _ => throw Fail.Invalid("valid_days", $"must be between 1 and {MaxValidDays} (0 means {DefaultValidDays})."),
        };

        // The secret stays in this answer; the grain, its storage and any log get its hash only.
        var token = ServiceTokens.Issue(id);
        var info = await Account(id).AddToken(token.TokenId, token.VisiblePrefix, token.SecretHash, clock.GetUtcNow().AddDays(days));
        return new IssuedToken { Token = token.Token, Info = ToProto(info) };
    }

    public override async Task<ListTokensResponse> ListTokens(ListTokensRequest request, ServerCallContext context)
    {
        await RequireAdminAsync(context);
        var id = Require.Id(request.ServiceAccountId, "service_account_id");
        var response = new ListTokensResponse();
        response.Tokens.AddRange((await Account(id).ListTokens()).Select(ToProto));
        return response;
    }

    public override async Task<TokenInfo> RevokeToken(RevokeTokenRequest request, ServerCallContext context)
    {
        await RequireAdminAsync(context);
        Require.RequestId(request.RequestId);
        var id = Require.Id(request.ServiceAccountId, "service_account_id");
        var tokenId = Require.Id(request.TokenId, "token_id");
        var info = await Account(id).RevokeToken(tokenId);
        verifier.Forget(id);
        return ToProto(info);
    }

    private IServiceAccountGrain Account(string id) => grains.GetGrain<IServiceAccountGrain>(id);

    private async Task<Caller> RequireAdminAsync(ServerCallContext context)
    {
        var caller = await identity.RequireCallerAccountAsync(context);
        AccessPolicy.RequireNetworkAdmin(caller, "manage service accounts");
        return caller;
    }

    /// <summary>Each scope well formed and naming an existing group; distinct, in the order given.</summary>
    private async Task<string[]> RequireScopesAsync(IEnumerable<string> requested)
    {
        var scopes = requested.Distinct(StringComparer.Ordinal).ToArray();
        if (scopes.Length > ServiceAccountScopes.MaxScopes)
        {
            throw Fail.Invalid("scopes", $"at most {ServiceAccountScopes.MaxScopes}.");
        }

        foreach (var scope in scopes)
        {
            if (scope == ServiceAccountScopes.ReceiveWebhooks)
            {
                continue;
            }

            var groupId = scope.StartsWith(ServiceAccountScopes.PostPrefix, StringComparison.Ordinal) ? scope[ServiceAccountScopes.PostPrefix.Length..]
                : scope.StartsWith(ServiceAccountScopes.ReadPrefix, StringComparison.Ordinal) ? scope[ServiceAccountScopes.ReadPrefix.Length..]
                : null;
            if (groupId is null || !Require.IsId(groupId))
            {
                throw Fail.Invalid("scopes", $"'{scope}' is not a scope: use {ServiceAccountScopes.PostPrefix}<group_id>, {ServiceAccountScopes.ReadPrefix}<group_id> or {ServiceAccountScopes.ReceiveWebhooks}.");
            }

            if (await reads.GetGroup(groupId) is null)
            {
                throw Fail.Invalid("scopes", $"'{scope}' names group '{groupId}', which does not exist.");
            }
        }

        return scopes;
    }

    private static ServiceAccount ToProto(ServiceAccountSnapshot account)
    {
        var message = new ServiceAccount
        {
            ServiceAccountId = account.ServiceAccountId,
            DisplayName = account.DisplayName,
            OwnerId = account.OwnerId,
            Disabled = account.Disabled,
            CreateTime = Timestamp.FromDateTimeOffset(account.CreatedAt),
        };
        message.Scopes.AddRange(account.Scopes);
        return message;
    }

    private static TokenInfo ToProto(ServiceTokenInfo info)
    {
        var message = new TokenInfo
        {
            TokenId = info.TokenId,
            Prefix = info.Prefix,
            CreateTime = Timestamp.FromDateTimeOffset(info.CreatedAt),
            ExpireTime = Timestamp.FromDateTimeOffset(info.ExpiresAt),
        };
        if (info.LastUsedAt is { } used)
        {
            message.LastUseTime = Timestamp.FromDateTimeOffset(used);
        }

        if (info.RevokedAt is { } revoked)
        {
            message.RevokeTime = Timestamp.FromDateTimeOffset(revoked);
        }

        return message;
    }
}
