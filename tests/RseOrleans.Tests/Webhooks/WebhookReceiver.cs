using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace RseOrleans.Tests.Webhooks;

/// <summary>One request the receiver got, as it came.</summary>
public sealed record ReceivedDelivery(string Id, string Timestamp, string Signature, string Body, DateTimeOffset At)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public string Type => Json.GetProperty("type").GetString()!;

    public string Data(string name) => Json.GetProperty("data").TryGetProperty(name, out var value) ? value.GetString()! : "";

    /// <summary>
    /// Whether one of the signatures is the Standard Webhooks one for <paramref name="secret"/>,
    /// computed here from the documented string, not by the engine's signer.
    /// </summary>
    public bool IsSignedWith(string secret)
    {
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        using var hmac = new HMACSHA256(key);
        var expected = Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes(Id + "." + Timestamp + "." + Body)));
        return Signature.Split(' ').Any(signature => signature == "v1," + expected);
    }
}

/// <summary>
/// A webhook endpoint the test runs on loopback (a small Kestrel app): it records every request
/// and answers what the test says, after the delay the test says.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentQueue<ReceivedDelivery> received = new();

    private WebhookReceiver(WebApplication app) => this.app = app;

    /// <summary>What to answer to the n-th request (0-based) for a delivery id: a status and a delay.</summary>
    public Func<ReceivedDelivery, int, (int Status, TimeSpan Delay)> Answer { get; set; } = (_, _) => (200, TimeSpan.Zero);

    public string Url { get; private set; } = "";

    public IReadOnlyList<ReceivedDelivery> Received => [.. received];

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseSetting("urls", "http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/hook", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var delivery = new ReceivedDelivery(
                context.Request.Headers["webhook-id"].ToString(),
                context.Request.Headers["webhook-timestamp"].ToString(),
                context.Request.Headers["webhook-signature"].ToString(),
                await reader.ReadToEndAsync(),
                DateTimeOffset.UtcNow);
            var earlier = receiver.received.Count(r => r.Id == delivery.Id);
            receiver.received.Enqueue(delivery);
            var (status, delay) = receiver.Answer(delivery, earlier);
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            }

            context.Response.StatusCode = status;
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Url = address.TrimEnd('/') + "/hook";
        return receiver;
    }

    /// <summary>The requests about one engine object (a post id, a user id...) in the order they came.</summary>
    public IReadOnlyList<ReceivedDelivery> About(string dataField, string value) =>
        [.. Received.Where(r => r.Data(dataField) == value)];

    public async Task<IReadOnlyList<ReceivedDelivery>> WaitForAsync(Func<IReadOnlyList<ReceivedDelivery>, bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (!condition(Received))
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what}; received: {string.Join(" | ", Received.Select(r => r.Body))}");
            await Task.Delay(50);
        }

        return Received;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
