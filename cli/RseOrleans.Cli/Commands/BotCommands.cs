using System.CommandLine;
using RseOrleans.Api.V1;

namespace RseOrleans.Cli.Commands;

/// <summary><c>rse bot</c>: service accounts for business applications, their scopes and their tokens (network admins).</summary>
internal static class BotCommands
{
    private static MethodDescriptorLookup Rpc => new(ServiceAccounts.Descriptor);

    public static Command Create(Verbs verbs)
    {
        var command = new Command("bot", "Service accounts: an application that posts into and reads its groups, with tokens of its own (network admins).");

        var id = new Argument<string>("account-id") { Description = "The service account, such as crm." };
        var name = new Option<string>("--name") { Description = "The name its posts show.", Required = true };
        var scopes = new Option<string[]>("--scope") { Description = "A scope (repeatable): groups.post:<group>, groups.read:<group>, webhooks.receive.", DefaultValueFactory = _ => [] };
        command.Subcommands.Add(verbs.Write("create", "Create a service account with its scopes.", Rpc["CreateServiceAccount"], [id, name, scopes], async call =>
        {
            var request = new CreateServiceAccountRequest { RequestId = call.RequestId, ServiceAccountId = call.Get(id), DisplayName = call.Get(name) };
            request.Scopes.AddRange(call.Get(scopes));
            var account = await Client(call).CreateServiceAccountAsync(request, call.Headers, cancellationToken: call.Cancellation);
            call.Print(account, output => Print(output, account));
        }));

        command.Subcommands.Add(verbs.Read("list", "List the service accounts.", Rpc["ListServiceAccounts"], [], async call =>
        {
            var list = await Client(call).ListServiceAccountsAsync(new ListServiceAccountsRequest(), call.Headers, cancellationToken: call.Cancellation);
            call.Print(list, output =>
            {
                foreach (var account in list.ServiceAccounts)
                {
                    Print(output, account);
                }

                if (list.ServiceAccounts.Count == 0)
                {
                    output.WriteLine("no service accounts");
                }
            });
        }));

        var showId = new Argument<string>("account-id") { Description = "The service account." };
        command.Subcommands.Add(verbs.Read("show", "Show a service account.", Rpc["GetServiceAccount"], [showId], async call =>
        {
            var account = await Client(call).GetServiceAccountAsync(new GetServiceAccountRequest { ServiceAccountId = call.Get(showId) }, call.Headers, cancellationToken: call.Cancellation);
            call.Print(account, output => Print(output, account));
        }));

        var scopesId = new Argument<string>("account-id") { Description = "The service account." };
        var newScopes = new Option<string[]>("--scope") { Description = "The scopes it has from now on (repeatable; none: it may do nothing).", DefaultValueFactory = _ => [] };
        command.Subcommands.Add(verbs.Write("scopes", "Replace a service account's scopes.", Rpc["UpdateServiceAccountScopes"], [scopesId, newScopes], async call =>
        {
            var request = new UpdateServiceAccountScopesRequest { RequestId = call.RequestId, ServiceAccountId = call.Get(scopesId) };
            request.Scopes.AddRange(call.Get(newScopes));
            var account = await Client(call).UpdateServiceAccountScopesAsync(request, call.Headers, cancellationToken: call.Cancellation);
            call.Print(account, output => Print(output, account));
        }));

        var disableId = new Argument<string>("account-id") { Description = "The service account." };
        command.Subcommands.Add(verbs.Write("disable", "Disable a service account: its tokens are refused from now on.", Rpc["DisableServiceAccount"], [disableId], async call =>
        {
            var account = await Client(call).DisableServiceAccountAsync(
                new DisableServiceAccountRequest { RequestId = call.RequestId, ServiceAccountId = call.Get(disableId) }, call.Headers, cancellationToken: call.Cancellation);
            call.Print(account, output => Print(output, account));
        }));

        var issueId = new Argument<string>("account-id") { Description = "The service account." };
        var days = new Option<int>("--valid-days") { Description = "Days until it expires (1 to 365).", DefaultValueFactory = _ => 90 };
        command.Subcommands.Add(verbs.Read("issue-token", "Issue an API token; prints it, shown this once.", Rpc["IssueToken"], [issueId, days], async call =>
        {
            var issued = await Client(call).IssueTokenAsync(new IssueTokenRequest { ServiceAccountId = call.Get(issueId), ValidDays = call.Get(days) }, call.Headers, cancellationToken: call.Cancellation);
            call.Print(issued, output =>
            {
                Print(output, issued.Info);
                output.WriteLine($"token: {issued.Token}  (shown once: the engine keeps only its hash)");
            });
        }));

        var tokensId = new Argument<string>("account-id") { Description = "The service account." };
        command.Subcommands.Add(verbs.Read("tokens", "List a service account's tokens, without their secrets.", Rpc["ListTokens"], [tokensId], async call =>
        {
            var list = await Client(call).ListTokensAsync(new ListTokensRequest { ServiceAccountId = call.Get(tokensId) }, call.Headers, cancellationToken: call.Cancellation);
            call.Print(list, output =>
            {
                foreach (var token in list.Tokens)
                {
                    Print(output, token);
                }

                if (list.Tokens.Count == 0)
                {
                    output.WriteLine("no tokens");
                }
            });
        }));

        var revokeId = new Argument<string>("account-id") { Description = "The service account." };
        var tokenId = new Argument<string>("token-id") { Description = "The token (rse bot tokens)." };
        command.Subcommands.Add(verbs.Write("revoke-token", "Revoke a token: refused from now on.", Rpc["RevokeToken"], [revokeId, tokenId], async call =>
        {
            var token = await Client(call).RevokeTokenAsync(
                new RevokeTokenRequest { RequestId = call.RequestId, ServiceAccountId = call.Get(revokeId), TokenId = call.Get(tokenId) }, call.Headers, cancellationToken: call.Cancellation);
            call.Print(token, output => Print(output, token));
        }));
        return command;
    }

    private static ServiceAccounts.ServiceAccountsClient Client(Call call) => new(call.Channel);

    private static void Print(TextWriter output, ServiceAccount account)
    {
        var state = account.Disabled ? "disabled" : "enabled";
        output.WriteLine($"{account.ServiceAccountId}  {account.DisplayName}  {state}  [{string.Join(", ", account.Scopes)}]");
    }

    private static void Print(TextWriter output, TokenInfo token)
    {
        var state = token.RevokeTime is { } revoked ? $"revoked {revoked.ToDateTimeOffset():u}" : $"expires {token.ExpireTime?.ToDateTimeOffset():u}";
        var used = token.LastUseTime is { } last ? $"last used {last.ToDateTimeOffset():u}" : "never used";
        output.WriteLine($"{token.TokenId}  {token.Prefix}  {state}  {used}");
    }
}
