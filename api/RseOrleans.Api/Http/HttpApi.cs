using System.Text.Json;
using Grpc.AspNetCore.Server;
using Grpc.AspNetCore.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.OpenApi.Models;

namespace RseOrleans.Api.Http;

/// <summary>
/// The rse.v1 API for clients that do not speak gRPC: JSON over HTTP/1.1 and HTTP/2, transcoded
/// from the <c>google.api.http</c> annotations of the protos by the very services, interceptors and
/// error mapping gRPC calls go through; gRPC-Web for typed browser clients; and the Kubernetes
/// probes. Nothing here decides anything a gRPC call would not.
/// </summary>
public static class HttpApi
{
    public const string LivenessPath = "/healthz/live";

    public const string ReadinessPath = "/healthz/ready";

    /// <summary>Tags the health checks: "live" for the liveness probe, "ready" for readiness and the gRPC health service.</summary>
    public const string LiveTag = "live";

    public const string ReadyTag = "ready";

    /// <summary>Where the OpenAPI document is served, and the page that tries the API in a browser.</summary>
    public const string OpenApiDocumentPath = "/openapi/v1.json";

    public const string OpenApiPagePath = "/openapi";

    /// <summary>JSON transcoding of every annotated rse.v1 method, and the OpenAPI document generated from them.</summary>
    public static IGrpcServerBuilder AddRseHttp(this IGrpcServerBuilder grpc)
    {
        // Protobuf's JSON mapping as the rse CLI prints it (--output json): fields at their default
        // value left out, 64-bit integers as strings (JavaScript numbers lose precision past 2^53).
        grpc.AddJsonTranscoding(options =>
        {
            options.JsonSettings.IgnoreDefaultValues = true;
            options.JsonSettings.WriteInt64sAsStrings = true;
        });
        grpc.Services.AddGrpcSwagger();
        grpc.Services.AddSwaggerGen(options => options.SwaggerDoc("v1", new OpenApiInfo
        {
            Title = "rse.v1",
            Version = "v1",
            Description = "The rse.v1 API as JSON over HTTP, transcoded from its gRPC services. Identify the caller with " +
                          "'authorization: Bearer <token>' (or 'x-rse-user: <user id>' on a development engine).",
        }));
        grpc.Services.AddSwaggerGen(IncludeProtoComments);
        return grpc;
    }

    /// <summary>
    /// The protos' comments as the operations' and schemas' descriptions: protoc copies them into
    /// the generated code, whose XML documentation sits beside the contracts assembly.
    /// </summary>
    private static void IncludeProtoComments(Swashbuckle.AspNetCore.SwaggerGen.SwaggerGenOptions options)
    {
        var documentation = Path.ChangeExtension(typeof(V1.Users).Assembly.Location, ".xml");
        if (File.Exists(documentation))
        {
            options.IncludeXmlComments(documentation);
            options.IncludeGrpcXmlComments(documentation, includeControllerXmlComments: true);
        }
    }

    /// <summary>The generated OpenAPI document and a Swagger UI page over it, in every environment: the API is the same everywhere.</summary>
    public static WebApplication UseRseOpenApi(this WebApplication app)
    {
        app.UseSwagger(options => options.RouteTemplate = "openapi/{documentName}.json");
        app.UseSwaggerUI(options =>
        {
            options.SwaggerEndpoint(OpenApiDocumentPath, "rse.v1");
            options.RoutePrefix = OpenApiPagePath.TrimStart('/');
            options.DocumentTitle = "rse.v1 API";
        });
        return app;
    }

    /// <summary>gRPC-Web on every gRPC endpoint; must run after routing, which minimal hosting puts first.</summary>
    public static WebApplication UseRseGrpcWeb(this WebApplication app)
    {
        app.UseGrpcWeb(new GrpcWebOptions { DefaultEnabled = true });
        return app;
    }

    /// <summary>The probes: 200 when healthy, 503 otherwise, with a short JSON body saying why.</summary>
    public static IEndpointRouteBuilder MapRseProbes(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks(LivenessPath, Probe(LiveTag));
        endpoints.MapHealthChecks(ReadinessPath, Probe(ReadyTag));
        return endpoints;
    }

    private static HealthCheckOptions Probe(string tag) => new()
    {
        Predicate = check => check.Tags.Contains(tag),
        ResponseWriter = WriteProbeAsync,
    };

    private static Task WriteProbeAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var checks = report.Entries.ToDictionary(entry => entry.Key, entry => new ProbeCheck(entry.Value.Status.ToString(), entry.Value.Description));
        return JsonSerializer.SerializeAsync(context.Response.Body, new ProbeAnswer(report.Status.ToString(), checks), ProbeJson, context.RequestAborted);
    }

    private static readonly JsonSerializerOptions ProbeJson = new(JsonSerializerDefaults.Web);

    private sealed record ProbeAnswer(string Status, Dictionary<string, ProbeCheck> Checks);

    private sealed record ProbeCheck(string Status, string? Description);
}
