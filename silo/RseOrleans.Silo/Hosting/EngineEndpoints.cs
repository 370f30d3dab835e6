using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace RseOrleans.Silo.Hosting;

/// <summary>
/// Where the engine listens, and with which HTTP version. <c>Urls</c> are HTTP/2-only endpoints:
/// gRPC, and JSON with prior knowledge. <c>Http1Urls</c> are HTTP/1.1 endpoints: JSON, gRPC-Web,
/// the OpenAPI page and the Kubernetes probes. Without TLS there is no ALPN, and Kestrel serves a
/// cleartext endpoint configured for both versions as HTTP/1.1 only (a gRPC client then fails with
/// HTTP_1_1_REQUIRED), so each version has its own port.
/// </summary>
/// <remarks>
/// Unset, <c>Http1Urls</c> is each of <c>Urls</c> with its port + <see cref="Http1PortOffset"/>
/// (5080 gives 6080; port 0, a free port, stays 0), so that every command line that starts an
/// engine, or several on one machine, gets an HTTP/1.1 port that does not collide. Set to an empty
/// value, there is none.
/// </remarks>
public sealed class EngineEndpoints
{
    public const string Http1UrlsKey = "Http1Urls";

    public const int Http1PortOffset = 1000;

    private const string DefaultUrl = "http://localhost:5000";

    private readonly List<(ListenOptions Listen, string Scheme, string Host)> http2 = [];
    private readonly List<(ListenOptions Listen, string Scheme, string Host)> http1 = [];

    /// <summary>The HTTP/2 (gRPC) addresses, with the ports really bound once the host has started.</summary>
    public IReadOnlyList<Uri> Http2Addresses => Addresses(http2);

    /// <summary>The HTTP/1.1 addresses, with the ports really bound once the host has started.</summary>
    public IReadOnlyList<Uri> Http1Addresses => Addresses(http1);

    /// <summary>Reads both settings and binds Kestrel's endpoints in code, each with its protocol.</summary>
    public static EngineEndpoints Configure(WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var grpcUrls = Split(configuration[WebHostDefaults.ServerUrlsKey]) is { Count: > 0 } urls ? urls : [DefaultUrl];
        var http1Urls = configuration[Http1UrlsKey] is { } configured
            ? Split(configured)
            : grpcUrls.Select(DeriveHttp1Url).ToList();

        var endpoints = new EngineEndpoints();
        builder.Services.AddSingleton(endpoints);
        builder.Services.AddSingleton<IStartupFilter, ForgetHostingUrls>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            foreach (var url in grpcUrls)
            {
                Listen(kestrel, url, HttpProtocols.Http2, endpoints.http2);
            }

            foreach (var url in http1Urls)
            {
                Listen(kestrel, url, HttpProtocols.Http1, endpoints.http1);
            }
        });
        return endpoints;
    }

    private static List<string> Split(string? urls) =>
        (urls ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    private static string DeriveHttp1Url(string grpcUrl)
    {
        var address = BindingAddress.Parse(grpcUrl);
        if (address.Port == 0)
        {
            return grpcUrl;
        }

        var port = address.Port + Http1PortOffset;
        if (port > IPEndPoint.MaxPort)
        {
            throw new InvalidOperationException(
                $"The HTTP/1.1 port derived from '{grpcUrl}' ({port}) is not a TCP port: set {Http1UrlsKey} (docs/deployment.md).");
        }

        return string.Create(CultureInfo.InvariantCulture, $"{address.Scheme}://{address.Host}:{port}");
    }

    private static void Listen(KestrelServerOptions kestrel, string url, HttpProtocols protocols, List<(ListenOptions, string, string)> into)
    {
        var address = BindingAddress.Parse(url);
        var https = address.Scheme.Equals("https", StringComparison.OrdinalIgnoreCase);
        if (!https && !address.Scheme.Equals("http", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"'{url}' is not an http:// or https:// address.");
        }

        void Configure(ListenOptions listen)
        {
            listen.Protocols = protocols;
            if (https)
            {
                listen.UseHttps();
            }

            into.Add((listen, address.Scheme, address.Host));
        }

        var host = address.Host.Trim('[', ']');
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            kestrel.ListenLocalhost(address.Port, Configure);
        }
        else if (IPAddress.TryParse(host, out var ip))
        {
            kestrel.Listen(ip, address.Port, Configure);
        }
        else
        {
            // "*", "+" or a host name: every interface, as Kestrel binds such a URL itself.
            kestrel.ListenAnyIP(address.Port, Configure);
        }
    }

    private static List<Uri> Addresses(List<(ListenOptions Listen, string Scheme, string Host)> endpoints) =>
        endpoints.Select(endpoint =>
        {
            var port = endpoint.Listen.IPEndPoint?.Port ?? 0;
            var host = endpoint.Host is "*" or "+" ? "localhost" : endpoint.Host;
            return new Uri(string.Create(CultureInfo.InvariantCulture, $"{endpoint.Scheme}://{host}:{port}"));
        }).ToList();

    /// <summary>
    /// The web host hands <c>Urls</c> to the server before it starts, and Kestrel, which binds the
    /// endpoints above instead, would warn at every start that it overrides them. They are bound
    /// above already: the host's copy is dropped while the pipeline is built, before the server starts.
    /// </summary>
    private sealed class ForgetHostingUrls : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            if (app.ServerFeatures.Get<IServerAddressesFeature>() is { Addresses.IsReadOnly: false } addresses)
            {
                addresses.Addresses.Clear();
            }

            next(app);
        };
    }
}
