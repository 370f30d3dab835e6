namespace RseOrleans.Silo.Demo;

/// <summary>The demo network (configuration section "Demo"; <c>--seed-demo</c> turns it on).</summary>
public sealed class DemoOptions
{
    public const string Section = "Demo";
    public const string Switch = "--seed-demo";

    public bool Seed { get; set; }

    public int Users { get; set; } = 300;

    public int RandomSeed { get; set; } = 42;

    /// <summary>Rewrites the bare <c>--seed-demo</c> switch into the configuration key it stands for.</summary>
    public static string[] ExpandSwitch(string[] args) =>
        args.Select(arg => arg == Switch ? $"--{Section}:{nameof(Seed)}=true" : arg).ToArray();
}

public static class DemoServiceCollectionExtensions
{
    public static IServiceCollection AddDemoNetwork(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(DemoOptions.Section);
        services.Configure<DemoOptions>(section);
        if (section.GetValue<bool>(nameof(DemoOptions.Seed)))
        {
            services.AddHostedService<DemoNetworkSeeder>();
        }

        return services;
    }
}
