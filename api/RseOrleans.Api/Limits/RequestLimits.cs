using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using RseOrleans.Api.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace RseOrleans.Api.Limits;

/// <summary>
/// The size limits of one call, answered as a gRPC status that names the size and the limit, on
/// that call alone. Kestrel's own limits sit higher: past them it can only end the whole HTTP/2
/// connection (its header decoder must stop), which also ends every other call on it.
/// </summary>
public sealed partial class RequestLimits(RequestDelegate next, ILogger<RequestLimits> logger)
{
    /// <summary>The largest request message accepted (gRPC's own cap is set to the same value).</summary>
    public const int MaxMessageBytes = 1024 * 1024;

    /// <summary>The largest request headers accepted, counted as HTTP/2 does: name + value + 32 per field.</summary>
    public const int MaxHeaderBytes = 32 * 1024;

    /// <summary>Past this Kestrel ends the connection; between the two only the call is refused.</summary>
    public const int ConnectionHeaderBytes = 256 * 1024;

    private const int FramePrefixBytes = 5;

    /// <summary>Where the JSON paths of the rse.v1 methods start (their <c>google.api.http</c> annotations).</summary>
    public const string JsonPathPrefix = "/v1";

    public static void ConfigureKestrel(KestrelServerOptions kestrel)
    {
        kestrel.Limits.MaxRequestHeadersTotalSize = ConnectionHeaderBytes;
        kestrel.Limits.Http2.MaxRequestHeaderFieldSize = ConnectionHeaderBytes;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Path.StartsWithSegments(JsonPathPrefix, StringComparison.Ordinal))
        {
            await InvokeJsonAsync(context);
            return;
        }

        // Only the rse.v1 calls, which are unary or server-streaming: their request message is sent
        // at once, so waiting for its first bytes never stalls a call. A gRPC-Web text call's body
        // is base64: gRPC's own cap (the same limit) measures it once decoded.
        if (context.Request.Path.Value?.StartsWith("/rse.v1.", StringComparison.Ordinal) != true
            || context.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) != true
            || context.Request.ContentType.StartsWith("application/grpc-web-text", StringComparison.OrdinalIgnoreCase))
        {
            await next(context);
            return;
        }

        var headerBytes = HeaderBytes(context);
        if (headerBytes > MaxHeaderBytes)
        {
            Refuse(context, $"The request's headers take {headerBytes:N0} bytes; the limit is {MaxHeaderBytes:N0} bytes (name + value + 32 per header).");
            return;
        }

        var messageBytes = await PeekMessageLengthAsync(context.Request.BodyReader, context.RequestAborted);
        if (messageBytes > MaxMessageBytes)
        {
            Refuse(context, $"The request message is {messageBytes:N0} bytes; the limit is {MaxMessageBytes:N0} bytes.");
            return;
        }

        await next(context);
    }

    /// <summary>
    /// The same limits for a JSON call (the HTTP paths of the rse.v1 methods), answered as JSON
    /// transcoding answers a failed call. A body without a declared length is cut off by Kestrel
    /// past the limit, which transcoding then answers INVALID_ARGUMENT.
    /// </summary>
    private async Task InvokeJsonAsync(HttpContext context)
    {
        var headerBytes = HeaderBytes(context);
        if (headerBytes > MaxHeaderBytes)
        {
            await RefuseJsonAsync(context, $"The request's headers take {headerBytes:N0} bytes; the limit is {MaxHeaderBytes:N0} bytes (name + value + 32 per header).");
            return;
        }

        if (context.Request.ContentLength > MaxMessageBytes)
        {
            await RefuseJsonAsync(context, $"The request body is {context.Request.ContentLength:N0} bytes; the limit is {MaxMessageBytes:N0} bytes.");
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = MaxMessageBytes;
        }

        await next(context);
    }

    private static int HeaderBytes(HttpContext context) =>
        context.Request.Headers.Sum(header => 32 + header.Key.Length + header.Value.Sum(value => value?.Length ?? 0));

    private Task RefuseJsonAsync(HttpContext context, string message)
    {
        LogRefused(logger, context.Request.Path, message);
        return JsonStatus.WriteAsync(context, StatusCode.ResourceExhausted, message);
    }

    /// <summary>The length in the first message's 5-byte prefix, leaving the body unread for gRPC.</summary>
    private static async Task<long> PeekMessageLengthAsync(PipeReader body, CancellationToken cancellation)
    {
        while (true)
        {
            var read = await body.ReadAsync(cancellation);
            var buffer = read.Buffer;
            if (buffer.Length >= FramePrefixBytes)
            {
                Span<byte> prefix = stackalloc byte[FramePrefixBytes];
                buffer.Slice(0, FramePrefixBytes).CopyTo(prefix);
                body.AdvanceTo(buffer.Start);
                return BinaryPrimitives.ReadUInt32BigEndian(prefix[1..]);
            }

            if (read.IsCompleted || read.IsCanceled)
            {
                body.AdvanceTo(buffer.Start);
                return 0;
            }

            body.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>A trailers-only gRPC answer, as grpc-dotnet writes one for a call that fails before its first message.</summary>
    private void Refuse(HttpContext context, string message)
    {
        LogRefused(logger, context.Request.Path, message);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/grpc";
        context.Response.Headers["grpc-status"] = ((int)StatusCode.ResourceExhausted).ToString(System.Globalization.CultureInfo.InvariantCulture);
        context.Response.Headers["grpc-message"] = Uri.EscapeDataString(message);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Path}: refused, {Reason}")]
    private static partial void LogRefused(ILogger logger, string path, string reason);
}
