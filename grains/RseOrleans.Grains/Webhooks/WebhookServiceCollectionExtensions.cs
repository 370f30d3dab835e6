using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using RseOrleans.Model;

namespace RseOrleans.Grains.Webhooks;

public static class WebhookServiceCollectionExtensions
{
    /// <summary>Webhook delivery: its settings and the HTTP client whose connections pass the deny-list.</summary>
    public static IServiceCollection AddRseWebhooks(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<WebhookOptions>(configuration.GetSection(WebhookOptions.Section));
        services.AddHttpClient(WebhookSender.ClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(provider =>
            {
                var options = provider.GetRequiredService<IOptions<WebhookOptions>>().Value;
                return new SocketsHttpHandler
                {
                    // A redirect is a failed attempt: following it would send the delivery where nobody subscribed.
                    AllowAutoRedirect = false,
                    UseCookies = false,
                    PooledConnectionLifetime = TimeSpan.FromMinutes(2),
                    ConnectCallback = (context, cancellationToken) => WebhookSender.ConnectAsync(context, options, cancellationToken),
                };
            });
        services.AddSingleton<WebhookSender>();

        // Orleans refuses reminder periods under its floor (a minute): a shorter backstop lowers it.
        services.AddOptions<ReminderOptions>().Configure<IOptions<WebhookOptions>>((reminders, webhooks) =>
            reminders.MinimumReminderPeriod = webhooks.Value.ReminderPeriod < reminders.MinimumReminderPeriod ? webhooks.Value.ReminderPeriod : reminders.MinimumReminderPeriod);
        return services;
    }
}
