using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace RseOrleans.Api.Auth;

/// <summary>
/// Reads the <c>Auth</c> section, refuses to start on a configuration that would accept tokens it
/// cannot check, and registers the JWT bearer handler that <c>CallerIdentity</c> asks.
/// </summary>
public static class AuthenticationSetup
{
    public const int MinSigningKeyBytes = 32;

    public static IServiceCollection AddRseAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
        services.AddSingleton(options);
        services.AddHostedService<DevelopmentModeWarning>();

        var authentication = services.AddAuthentication();
        if (options.Mode != AuthMode.Jwt)
        {
            return services;
        }

        var jwt = options.Jwt;
        Validate(jwt);
        services.AddSingleton<VerifiedTokens>();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<VerifiedTokens>((bearer, verified) => verified.Attach(bearer.Events ??= new JwtBearerEvents()));
        authentication.AddJwtBearer(JwtBearerDefaults.AuthenticationScheme, bearer =>
        {
            // Claim names stay as the identity provider wrote them, so UserIdClaim means what it says.
            bearer.MapInboundClaims = false;
            bearer.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = jwt.Issuer,
                ValidAudience = jwt.Audience,
                ValidateIssuer = true,
                ValidateAudience = true,
                ValidateLifetime = true,
                RequireExpirationTime = true,
                RequireSignedTokens = true,
                ValidateIssuerSigningKey = true,
                ClockSkew = jwt.ClockSkew,
                NameClaimType = jwt.UserIdClaim,
            };

            if (jwt.SigningKey is not null)
            {
                bearer.TokenValidationParameters.IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(jwt.SigningKey));
                // A shared secret must never be mistaken for another algorithm's key.
                bearer.TokenValidationParameters.ValidAlgorithms = [SecurityAlgorithms.HmacSha256];
            }
            else if (jwt.JwksFile is not null)
            {
                bearer.TokenValidationParameters.IssuerSigningKeys = ReadJwksFile(jwt.JwksFile);
            }
            else
            {
                // The handler fetches the document on first use and again when a token names a key
                // id it does not know, which is how identity providers roll their keys.
                bearer.ConfigurationManager = new ConfigurationManager<OpenIdConnectConfiguration>(
                    jwt.JwksUrl!,
                    new JwksConfigurationRetriever(jwt.Issuer!),
                    new HttpDocumentRetriever { RequireHttps = jwt.RequireHttpsJwksUrl });
            }
        });
        return services;
    }

    private static void Validate(JwtOptions jwt)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(jwt.Issuer))
        {
            problems.Add("Auth:Jwt:Issuer is required");
        }

        if (string.IsNullOrWhiteSpace(jwt.Audience))
        {
            problems.Add("Auth:Jwt:Audience is required");
        }

        if (string.IsNullOrWhiteSpace(jwt.UserIdClaim))
        {
            problems.Add("Auth:Jwt:UserIdClaim must name a claim");
        }

        var keySources = new[] { jwt.SigningKey, jwt.JwksFile, jwt.JwksUrl }.Count(source => !string.IsNullOrEmpty(source));
        if (keySources != 1)
        {
            problems.Add("exactly one of Auth:Jwt:SigningKey, Auth:Jwt:JwksFile and Auth:Jwt:JwksUrl must be set");
        }

        if (jwt.SigningKey is not null && Encoding.UTF8.GetByteCount(jwt.SigningKey) < MinSigningKeyBytes)
        {
            problems.Add($"Auth:Jwt:SigningKey must be at least {MinSigningKeyBytes} bytes");
        }

        if (jwt.JwksFile is not null && !File.Exists(jwt.JwksFile))
        {
            problems.Add($"Auth:Jwt:JwksFile '{jwt.JwksFile}' does not exist");
        }

        if (jwt.JwksUrl is not null && !Uri.TryCreate(jwt.JwksUrl, UriKind.Absolute, out _))
        {
            problems.Add("Auth:Jwt:JwksUrl must be an absolute URL");
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException(
                $"Auth:Mode is Jwt but the token settings are incomplete: {string.Join("; ", problems)}. " +
                "See docs/security.md, or set Auth:Mode=DevelopmentHeader on a developer's machine.");
        }
    }

    private static IList<SecurityKey> ReadJwksFile(string path)
    {
        var keys = new JsonWebKeySet(File.ReadAllText(path)).GetSigningKeys();
        return keys.Count > 0
            ? keys
            : throw new InvalidOperationException($"Auth:Jwt:JwksFile '{path}' holds no signing key.");
    }

    /// <summary>Reads a bare JWKS document (not an OpenID discovery document) as the handler's configuration.</summary>
    private sealed class JwksConfigurationRetriever(string issuer) : IConfigurationRetriever<OpenIdConnectConfiguration>
    {
        public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(string address, IDocumentRetriever retriever, CancellationToken cancel)
        {
            var keySet = new JsonWebKeySet(await retriever.GetDocumentAsync(address, cancel));
            var configuration = new OpenIdConnectConfiguration { Issuer = issuer, JsonWebKeySet = keySet };
            foreach (var key in keySet.GetSigningKeys())
            {
                configuration.SigningKeys.Add(key);
            }

            return configuration;
        }
    }
}
