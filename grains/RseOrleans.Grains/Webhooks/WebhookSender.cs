using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Options;
using RseOrleans.Model;

namespace RseOrleans.Grains.Webhooks;

/// <summary>The outcome of one attempt: the HTTP status (0: no answer) and what went wrong.</summary>
public sealed record AttemptResult(int StatusCode, TimeSpan Duration, string Error)
{
    public bool Succeeded => StatusCode is >= 200 and < 300;
}

/// <summary>
/// Sends one signed delivery, within the attempt timeout, never following redirects, and only to
/// addresses the deny-list lets through (checked on the address dialled: see <see cref="ConnectAsync"/>).
/// </summary>
public sealed class WebhookSender(IHttpClientFactory clients, IOptions<WebhookOptions> options, TimeProvider clock)
{
    public const string ClientName = "rse-webhooks";

    public async Task<AttemptResult> SendAsync(string url, string messageId, string body, IReadOnlyList<string> secrets, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        if (WebhookTargets.Refusal(url, options.Value) is { } refusal)
        {
            return new AttemptResult(0, TimeSpan.Zero, "url " + refusal);
        }

        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("webhook-id", messageId);
        request.Headers.Add("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        // Several signatures while a rotated secret is still valid: the receiver accepts any one.
        request.Headers.Add("webhook-signature", string.Join(' ', secrets.Select(secret => WebhookSigning.Sign(secret, messageId, timestamp, body))));

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.AttemptTimeout);
        try
        {
            using var response = await clients.CreateClient(ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var status = (int)response.StatusCode;
            return new AttemptResult(status, Stopwatch.GetElapsedTime(started), response.IsSuccessStatusCode ? "" : $"HTTP {status} {response.ReasonPhrase}".TrimEnd());
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new AttemptResult(0, Stopwatch.GetElapsedTime(started), $"timed out after {options.Value.AttemptTimeout.TotalSeconds:0.###} s");
        }
        catch (HttpRequestException ex)
        {
            return new AttemptResult(0, Stopwatch.GetElapsedTime(started), (ex.InnerException as WebhookTargetRefusedException)?.Message ?? ex.Message);
        }
    }

    /// <summary>
    /// Connects to the first address of the host that the deny-list lets through. Resolving here,
    /// for each connection, is what defeats DNS rebinding: the address checked is the one dialled.
    /// </summary>
    public static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, WebhookOptions options, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken);
        if (!WebhookTargets.IsHostAllowed(host, options))
        {
            addresses = [.. addresses.Where(address => !WebhookTargets.IsDenied(address))];
            if (addresses.Length == 0)
            {
                throw new WebhookTargetRefusedException($"'{host}' resolves only to addresses webhooks may not target (loopback, private, link-local or metadata).");
            }
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

/// <summary>A webhook's host resolved only to refused addresses.</summary>
public sealed class WebhookTargetRefusedException : Exception
{
    public WebhookTargetRefusedException()
    {
    }

    public WebhookTargetRefusedException(string message)
        : base(message)
    {
    }

    public WebhookTargetRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
