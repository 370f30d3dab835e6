using System.Net;
using System.Net.Sockets;

namespace RseOrleans.Model;

/// <summary>
/// Where a webhook may send: HTTPS (or HTTP by setting) to a public address. Loopback, private,
/// shared, link-local (cloud metadata at 169.254.169.254 among them), multicast and reserved
/// ranges are refused, unless the host is allowed by name or private addresses are allowed
/// (<see cref="WebhookOptions"/>). Checked when a webhook is saved and again on every connection,
/// against the address actually dialled, so a name that later resolves elsewhere (DNS rebinding)
/// is refused too.
/// </summary>
public static class WebhookTargets
{
    private static readonly string[] DeniedNames = ["localhost", "metadata.google.internal", "metadata"];

    /// <summary>Why <paramref name="url"/> may not be a webhook's endpoint, or null when it may.</summary>
    public static string? Refusal(string url, WebhookOptions options)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Host.Length == 0)
        {
            return "must be an absolute http(s) URL.";
        }

        if (uri.Scheme != Uri.UriSchemeHttps && !(uri.Scheme == Uri.UriSchemeHttp && options.AllowHttp))
        {
            return options.AllowHttp ? "must be an http or https URL." : "must be an https URL.";
        }

        if (uri.UserInfo.Length > 0)
        {
            return "must not carry a user name or password.";
        }

        if (IsHostAllowed(uri.IdnHost, options))
        {
            return null;
        }

        var host = uri.IdnHost.TrimEnd('.');
        if (DeniedNames.Any(name => host.Equals(name, StringComparison.OrdinalIgnoreCase) || host.EndsWith("." + name, StringComparison.OrdinalIgnoreCase)))
        {
            return $"must not target '{host}': local and metadata hosts are refused.";
        }

        return IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var address) && IsDenied(address)
            ? $"must not target {address}: loopback, private, link-local and metadata addresses are refused."
            : null;
    }

    /// <summary>Whether the host is exempt from the address checks.</summary>
    public static bool IsHostAllowed(string host, WebhookOptions options) =>
        options.AllowPrivateAddresses || options.AllowedHosts.Any(allowed => allowed.Equals(host.Trim('[', ']'), StringComparison.OrdinalIgnoreCase));

    /// <summary>Whether an address is one a webhook may never reach.</summary>
    public static bool IsDenied(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Broadcast))
        {
            return true;
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] switch
            {
                0 or 10 or 127 => true,
                100 => b[1] is >= 64 and <= 127,      // shared address space (carrier-grade NAT)
                169 => b[1] == 254,                   // link-local, cloud metadata
                172 => b[1] is >= 16 and <= 31,
                192 => (b[1] == 168) || (b[1] == 0 && b[2] is 0 or 2),   // private, IETF, documentation
                198 => b[1] is 18 or 19 || (b[1] == 51 && b[2] == 100), // benchmarking, documentation
                203 => b[1] == 0 && b[2] == 113,      // documentation
                >= 224 => true,                       // multicast and reserved
                _ => false,
            };
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var b = address.GetAddressBytes();
            return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast
                || (b[0] & 0xFE) == 0xFC;             // unique local (fc00::/7), cloud metadata fd00:ec2::254 among them
        }

        return true;
    }
}
