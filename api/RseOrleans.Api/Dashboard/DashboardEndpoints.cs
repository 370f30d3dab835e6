using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace RseOrleans.Api.Dashboard;

/// <summary>
/// The adoption dashboard at <c>/admin</c>: static files embedded in this assembly, which read
/// the HTTP/JSON API only. The page holds no secret and decides nothing: the API refuses a caller
/// who is not a network admin, and the page says so.
/// </summary>
public static class DashboardEndpoints
{
    public const string PagePath = "/admin";

    private const string AssetsPath = "/admin/assets/";

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.Ordinal)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
    };

    public static IEndpointRouteBuilder MapRseDashboard(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(PagePath, (HttpContext context) => ServeAsync(context, "index.html"));
        endpoints.MapGet(AssetsPath + "{**file}", (HttpContext context, string file) => ServeAsync(context, file));
        return endpoints;
    }

    private static async Task ServeAsync(HttpContext context, string file)
    {
        var extension = Path.GetExtension(file);
        // Embedded names replace '/' by '.'; only the page's own kinds of files are served.
        var resource = "RseOrleans.Api.Dashboard.wwwroot." + file.Replace('/', '.');
        await using var content = ContentTypes.TryGetValue(extension, out var contentType)
            ? typeof(DashboardEndpoints).Assembly.GetManifestResourceStream(resource)
            : null;
        if (content is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        context.Response.ContentType = contentType;
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        await content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }
}
