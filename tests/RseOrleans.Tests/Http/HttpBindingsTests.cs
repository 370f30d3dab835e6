using Google.Api;
using Google.Protobuf.Reflection;
using RseOrleans.Api.V1;

namespace RseOrleans.Tests.Http;

/// <summary>Every RPC of every rse.v1 service has an HTTP path, and no two collide.</summary>
public sealed class HttpBindingsTests
{
    private static readonly List<ServiceDescriptor> Services = typeof(Users).Assembly.GetTypes()
        .Where(type => type.Name.EndsWith("Reflection", StringComparison.Ordinal) && type.Namespace == typeof(Users).Namespace)
        .Select(type => (FileDescriptor)type.GetProperty("Descriptor")!.GetValue(null)!)
        .SelectMany(file => file.Services)
        .ToList();

    [Fact]
    public void Every_rpc_has_a_google_api_http_annotation()
    {
        Assert.True(Services.Count >= 7, $"found {Services.Count} services");
        var missing = Services.SelectMany(service => service.Methods)
            .Where(method => method.GetOptions()?.GetExtension(AnnotationsExtensions.Http) is null)
            .Select(method => method.FullName)
            .ToList();
        Assert.True(missing.Count == 0, $"Without an HTTP path: {string.Join(", ", missing)}");
    }

    [Fact]
    public void No_two_bindings_share_a_verb_and_path()
    {
        var bindings = Services.SelectMany(service => service.Methods)
            .SelectMany(method => Bindings(method.GetOptions()?.GetExtension(AnnotationsExtensions.Http)).Select(binding => (binding, method.FullName)))
            .GroupBy(entry => entry.binding)
            .Where(group => group.Count() > 1)
            .Select(group => $"{group.Key}: {string.Join(", ", group.Select(entry => entry.FullName))}")
            .ToList();
        Assert.True(bindings.Count == 0, string.Join("\n", bindings));
    }

    /// <summary>"VERB /path" of every binding of every rse.v1 method.</summary>
    internal static IEnumerable<string> AllBindings() =>
        Services.SelectMany(service => service.Methods).SelectMany(method => Bindings(method.GetOptions()?.GetExtension(AnnotationsExtensions.Http)));

    internal static IEnumerable<string> Bindings(HttpRule? rule) => rule is null
        ? []
        : [Binding(rule), .. rule.AdditionalBindings.Select(Binding)];

    private static string Binding(HttpRule rule) => rule.PatternCase switch
    {
        HttpRule.PatternOneofCase.Get => $"GET {rule.Get}",
        HttpRule.PatternOneofCase.Post => $"POST {rule.Post}",
        HttpRule.PatternOneofCase.Put => $"PUT {rule.Put}",
        HttpRule.PatternOneofCase.Patch => $"PATCH {rule.Patch}",
        HttpRule.PatternOneofCase.Delete => $"DELETE {rule.Delete}",
        _ => $"{rule.Custom.Kind} {rule.Custom.Path}",
    };
}
