using System.Text.Json.Nodes;
using RseOrleans.Tests.Fixtures;

namespace RseOrleans.Tests.Http;

/// <summary>The OpenAPI document explains the API in the protos' own words: their comments become its descriptions.</summary>
[Collection(EngineCollection.Name)]
public sealed class OpenApiCommentsTests(EngineFixture engine)
{
    [Fact]
    public async Task A_method_s_and_a_field_s_proto_comments_are_their_descriptions()
    {
        using var http = new HttpClient { BaseAddress = engine.Http1Address };
        var document = JsonNode.Parse(await http.GetStringAsync("/openapi/v1.json"))!;

        // admin.proto: "// The caller's own account, or anyone's for a network admin." above GetAccount.
        var getAccount = document["paths"]!["/v1/accounts/{userId}"]!["get"]!;
        Assert.Contains("The caller's own account, or anyone's for a network admin.", Described(getAccount), StringComparison.Ordinal);

        // service_accounts.proto, on IssueToken: the secret is shown once.
        var issueToken = document["paths"]!["/v1/serviceAccounts/{serviceAccountId}/tokens"]!["post"]!;
        Assert.Contains("Its secret is in this answer only", Described(issueToken), StringComparison.Ordinal);

        // posts.proto, on Post.application.
        var application = document["components"]!["schemas"]!["Post"]!["properties"]!["application"]!;
        Assert.True(Described(application).Contains("the service account's display name", StringComparison.Ordinal), application.ToJsonString());
    }

    private static string Described(JsonNode node) => $"{node["summary"]} {node["description"]}";
}
