using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RseOrleans.Tests.Http;

/// <summary>One answer of the JSON API: its HTTP status and version, and its body parsed.</summary>
public sealed record JsonAnswer(HttpStatusCode Status, Version Version, string Content, HttpResponseHeaders Headers)
{
    /// <summary>The body as JSON; fails the test when it is not.</summary>
    public JsonNode? Body => Content.Length == 0 ? null : JsonNode.Parse(Content);

    /// <summary>A string field; "" when left out (protobuf's JSON leaves out default values).</summary>
    public string Text(string property) => Body?[property]?.GetValue<string>() ?? "";

    /// <summary>The gRPC status code the error body names (google.rpc.Status).</summary>
    public int Code => Body?["code"]?.GetValue<int>() ?? 0;

    public string Message => Text("message");

    public override string ToString() => $"{(int)Status} HTTP/{Version}: {Content}";
}

/// <summary>
/// The engine's JSON API as a client with no gRPC library calls it: plain HTTP requests with JSON
/// bodies, over HTTP/1.1 or over cleartext HTTP/2 with prior knowledge.
/// </summary>
public sealed class JsonApi(Uri address, Version version) : IDisposable
{
    private readonly HttpClient http = new(new SocketsHttpHandler()) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };

    public Version Version => version;

    public static JsonApi Http11(Uri address) => new(address, HttpVersion.Version11);

    public static JsonApi Http2(Uri address) => new(address, HttpVersion.Version20);

    public Task<JsonAnswer> GetAsync(string path, string? caller = null) => SendAsync(HttpMethod.Get, path, caller);

    public Task<JsonAnswer> PostAsync(string path, string? caller, object body) => SendAsync(HttpMethod.Post, path, caller, body);

    public async Task<JsonAnswer> SendAsync(HttpMethod method, string path, string? caller, object? body = null, string? bearer = null)
    {
        using var request = Request(method, path, caller, body, bearer);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new JsonAnswer(response.StatusCode, response.Version, text, response.Headers);
    }

    /// <summary>Sends the request and returns as soon as the headers arrive, the body left to stream.</summary>
    public async Task<HttpResponseMessage> OpenAsync(string path, string? caller, CancellationToken cancellation)
    {
        using var request = Request(HttpMethod.Get, path, caller, body: null, bearer: null);
        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellation);
    }

    public HttpRequestMessage Request(HttpMethod method, string path, string? caller, object? body, string? bearer)
    {
        var request = new HttpRequestMessage(method, path)
        {
            Version = version,
            // Exactly this version: over http:// an HTTP/2 request then uses prior knowledge (h2c).
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        if (caller is not null)
        {
            request.Headers.Add("x-rse-user", caller);
        }

        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        if (body is not null)
        {
            var json = body as string ?? JsonSerializer.Serialize(body);
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return request;
    }

    public void Dispose() => http.Dispose();
}
