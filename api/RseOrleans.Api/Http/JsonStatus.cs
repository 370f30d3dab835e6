using System.Text.Json;
using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace RseOrleans.Api.Http;

/// <summary>
/// A refusal answered before a JSON call reaches gRPC JSON transcoding, in the body transcoding
/// itself writes for a failed call (<c>google.rpc.Status</c>: code, message, details) and with the
/// HTTP status it gives that code, so that a client reads every error of the JSON API one way.
/// </summary>
internal static class JsonStatus
{
    public static async Task WriteAsync(HttpContext context, StatusCode code, string message)
    {
        context.Response.StatusCode = code switch
        {
            StatusCode.ResourceExhausted => StatusCodes.Status429TooManyRequests,
            StatusCode.InvalidArgument => StatusCodes.Status400BadRequest,
            _ => throw new ArgumentOutOfRangeException(nameof(code), code, "Only the statuses the HTTP edge answers itself."),
        };
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, new Body((int)code, message, []), JsonOptions, context.RequestAborted);
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    private sealed record Body(int Code, string Message, object[] Details);
}
