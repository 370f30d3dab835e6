using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using RseOrleans.Tests.Fixtures;

namespace RseOrleans.Tests.Http;

/// <summary>The OpenAPI document the engine generates from its transcoded methods, and the page over it.</summary>
[Collection(EngineCollection.Name)]
public sealed partial class OpenApiTests(EngineFixture engine)
{
    [Fact]
    public async Task The_document_lists_every_rpc_s_path_and_verb()
    {
        using var http = new HttpClient { BaseAddress = engine.Http1Address };
        var document = JsonNode.Parse(await http.GetStringAsync("/openapi/v1.json"))!;
        var listed = document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Select(operation => $"{operation.Key.ToUpperInvariant()} {path.Key}"))
            .ToHashSet();

        // The document names path parameters by their JSON names (user_id is userId).
        var annotated = HttpBindingsTests.AllBindings().Select(binding => FieldName().Replace(binding, match => "{" + Camel(match.Groups[1].Value) + "}")).ToList();
        Assert.True(annotated.Count >= 60, $"found {annotated.Count} bindings");
        var missing = annotated.Where(binding => !listed.Contains(binding)).ToList();
        Assert.True(missing.Count == 0, $"Not in /openapi/v1.json: {string.Join(", ", missing)}\nListed: {string.Join(", ", listed.Order())}");
    }

    [Fact]
    public async Task A_person_can_try_the_API_on_a_page_in_the_browser()
    {
        using var http = new HttpClient { BaseAddress = engine.Http1Address };

        var page = await http.GetAsync("/openapi");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("swagger-ui", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static string Camel(string field) =>
        string.Concat(field.Split('_').Select((word, i) => i == 0 ? word : char.ToUpperInvariant(word[0]) + word[1..]));

    [GeneratedRegex(@"\{(\w+)\}")]
    private static partial Regex FieldName();
}
