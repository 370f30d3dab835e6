using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace RseOrleans.Api.Auth;

/// <summary>Says loudly at start that the engine trusts a header anyone can type.</summary>
public sealed partial class DevelopmentModeWarning(AuthOptions options, ILogger<DevelopmentModeWarning> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Mode == AuthMode.DevelopmentHeader)
        {
            LogDevelopmentMode();
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Auth:Mode is DevelopmentHeader: the x-rse-user header names the caller, unchecked. Never deploy this; set Auth:Mode=Jwt (docs/security.md).")]
    private partial void LogDevelopmentMode();
}
