using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Google.Api;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using RseOrleans.Api.V1;

namespace RseOrleans.Cli.Load;

/// <summary>
/// The generated rse.v1 clients over JSON and HTTP/1.1 instead of gRPC: each call goes to the path
/// its <c>google.api.http</c> annotation gives, as any HTTP client would send it (path fields in
/// the path, the rest in the query string of a GET or the JSON body of a POST), and a server
/// stream is read as newline-delimited JSON. An error's JSON body (google.rpc.Status) becomes the
/// same RpcException a gRPC call throws, so the load runner counts both transports alike.
/// </summary>
internal sealed class JsonCallInvoker(HttpClient http) : CallInvoker
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default);
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));
    private static readonly ConcurrentDictionary<string, MethodDescriptor> Methods = new(StringComparer.Ordinal);

    /// <summary>An invoker over a new HTTP/1.1 client to <paramref name="address"/> (the engine's HTTP/1.1 port).</summary>
    public static JsonCallInvoker ForAddress(Uri address) => new(new HttpClient(new SocketsHttpHandler
    {
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
    })
    {
        BaseAddress = address,
        DefaultRequestVersion = HttpVersion.Version11,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Timeout = Timeout.InfiniteTimeSpan,
    });

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        AsyncUnaryCall(method, host, options, request).ResponseAsync.GetAwaiter().GetResult();

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        var response = UnaryAsync<TResponse>(method.FullName, options, (IMessage)request);
        return new AsyncUnaryCall<TResponse>(response, Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => [], () => { });
    }

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        var descriptor = Describe(method.FullName);
        var cancellation = Cancellation(options);
        var opened = OpenAsync(descriptor, options, (IMessage)request, cancellation.Token);
        var reader = new LinesReader<TResponse>(opened, descriptor.OutputType, cancellation.Token);
        return new AsyncServerStreamingCall<TResponse>(
            reader,
            HeadersAsync(opened),
            () => Status.DefaultSuccess,
            () => [],
            () =>
            {
                cancellation.Cancel();
                reader.Dispose();
                cancellation.Dispose();
            });
    }

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        throw new NotSupportedException("JSON over HTTP has no client streams; rse.v1 has none either.");

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        throw new NotSupportedException("JSON over HTTP has no duplex streams; rse.v1 has none either.");

    private async Task<TResponse> UnaryAsync<TResponse>(string fullName, CallOptions options, IMessage request)
    {
        var descriptor = Describe(fullName);
        using var cancellation = Cancellation(options);
        try
        {
            using var response = await SendAsync(descriptor, options, request, HttpCompletionOption.ResponseContentRead, cancellation.Token);
            var json = await response.Content.ReadAsStringAsync(cancellation.Token);
            return (TResponse)Parser.Parse(json, descriptor.OutputType);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested && !options.CancellationToken.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.DeadlineExceeded, "Deadline exceeded"));
        }
    }

    private async Task<HttpResponseMessage> OpenAsync(MethodDescriptor descriptor, CallOptions options, IMessage request, CancellationToken cancellation) =>
        await SendAsync(descriptor, options, request, HttpCompletionOption.ResponseHeadersRead, cancellation);

    private static async Task<Metadata> HeadersAsync(Task<HttpResponseMessage> opened)
    {
        var response = await opened;
        var headers = new Metadata();
        foreach (var (name, values) in response.Headers)
        {
            headers.Add(name.ToLowerInvariant(), string.Join(",", values));
        }

        return headers;
    }

    private async Task<HttpResponseMessage> SendAsync(MethodDescriptor descriptor, CallOptions options, IMessage request, HttpCompletionOption completion, CancellationToken cancellation)
    {
        using var message = ToHttp(descriptor, request);
        foreach (var entry in options.Headers ?? [])
        {
            if (!entry.IsBinary)
            {
                message.Headers.TryAddWithoutValidation(entry.Key, entry.Value);
            }
        }

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(message, completion, cancellation);
        }
        catch (HttpRequestException failure)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, failure.Message));
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            throw ToRpcException(response.StatusCode, await response.Content.ReadAsStringAsync(cancellation));
        }
    }

    /// <summary>The error body the engine writes (google.rpc.Status as JSON), as the status a gRPC client gets.</summary>
    private static RpcException ToRpcException(HttpStatusCode httpStatus, string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.TryGetProperty("code", out var code) && code.TryGetInt32(out var value))
            {
                var text = json.RootElement.TryGetProperty("message", out var words) ? words.GetString() ?? "" : "";
                return new RpcException(new Status((StatusCode)value, text));
            }
        }
        catch (JsonException)
        {
        }

        return new RpcException(new Status(StatusCode.Unknown, $"HTTP {(int)httpStatus} without a status body: {body}"));
    }

    /// <summary>The request as its annotation lays it out: the binding whose path fields are all set, the most specific first.</summary>
    private static HttpRequestMessage ToHttp(MethodDescriptor descriptor, IMessage request)
    {
        var rule = descriptor.GetOptions()?.GetExtension(AnnotationsExtensions.Http)
            ?? throw new NotSupportedException($"{descriptor.FullName} has no HTTP binding.");
        var (verb, template, body) = new[] { rule }.Concat(rule.AdditionalBindings)
            .Select(Binding)
            .Where(binding => PathFields(binding.Template).All(field => Scalar(request, field).Length > 0))
            .OrderByDescending(binding => PathFields(binding.Template).Count())
            .FirstOrDefault();
        if (template is null)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"{descriptor.Name}: no HTTP binding fits the fields set."));
        }

        var inPath = PathFields(template).ToHashSet(StringComparer.Ordinal);
        var path = new StringBuilder(template);
        foreach (var field in inPath)
        {
            path.Replace("{" + field + "}", Uri.EscapeDataString(Scalar(request, field)));
        }

        var message = new HttpRequestMessage(new HttpMethod(verb), path.ToString());
        if (body == "*")
        {
            message.Content = new StringContent(Formatter.Format(request), Encoding.UTF8, "application/json");
        }
        else if (body.Length > 0)
        {
            var part = (IMessage?)request.Descriptor.FindFieldByName(body)?.Accessor.GetValue(request);
            message.Content = new StringContent(part is null ? "{}" : Formatter.Format(part), Encoding.UTF8, "application/json");
        }
        else
        {
            var query = string.Join("&", QueryFields(request, inPath));
            if (query.Length > 0)
            {
                message.RequestUri = new Uri($"{path}?{query}", UriKind.Relative);
            }
        }

        return message;
    }

    private static (string Verb, string Template, string Body) Binding(HttpRule rule) => rule.PatternCase switch
    {
        HttpRule.PatternOneofCase.Get => ("GET", rule.Get, rule.Body),
        HttpRule.PatternOneofCase.Post => ("POST", rule.Post, rule.Body),
        HttpRule.PatternOneofCase.Put => ("PUT", rule.Put, rule.Body),
        HttpRule.PatternOneofCase.Patch => ("PATCH", rule.Patch, rule.Body),
        HttpRule.PatternOneofCase.Delete => ("DELETE", rule.Delete, rule.Body),
        _ => throw new NotSupportedException($"HTTP binding {rule.PatternCase}"),
    };

    private static IEnumerable<string> PathFields(string template)
    {
        for (var start = template.IndexOf('{', StringComparison.Ordinal); start >= 0; start = template.IndexOf('{', start + 1))
        {
            yield return template[(start + 1)..template.IndexOf('}', start)];
        }
    }

    /// <summary>The non-default scalar fields left for the query string, by their proto names.</summary>
    private static IEnumerable<string> QueryFields(IMessage request, HashSet<string> inPath)
    {
        foreach (var field in request.Descriptor.Fields.InDeclarationOrder())
        {
            if (inPath.Contains(field.Name) || field.FieldType == FieldType.Message || field.IsRepeated)
            {
                continue;
            }

            var value = Scalar(request, field.Name);
            if (value.Length > 0)
            {
                yield return $"{field.Name}={Uri.EscapeDataString(value)}";
            }
        }
    }

    /// <summary>A singular scalar field as text; "" at its default value (left out, as protobuf's JSON does).</summary>
    private static string Scalar(IMessage message, string name)
    {
        var field = message.Descriptor.FindFieldByName(name);
        return field?.Accessor.GetValue(message) switch
        {
            null => "",
            string text => text,
            bool flag => flag ? "true" : "",
            Enum value => Convert.ToInt32(value, CultureInfo.InvariantCulture) == 0 ? "" : field.EnumType.FindValueByNumber(Convert.ToInt32(value, CultureInfo.InvariantCulture)).Name,
            IConvertible number => number.ToString(CultureInfo.InvariantCulture) is "0" ? "" : number.ToString(CultureInfo.InvariantCulture),
            _ => "",
        };
    }

    private static MethodDescriptor Describe(string fullName) => Methods.GetOrAdd(fullName, static name =>
        typeof(Users).Assembly.GetTypes()
            .Where(type => type.Name.EndsWith("Reflection", StringComparison.Ordinal) && type.Namespace == typeof(Users).Namespace)
            .Select(type => (FileDescriptor)type.GetProperty("Descriptor")!.GetValue(null)!)
            .SelectMany(file => file.Services)
            .SelectMany(service => service.Methods)
            .FirstOrDefault(method => $"/{method.Service.FullName}/{method.Name}" == name)
        ?? throw new NotSupportedException($"{name} is no rse.v1 method."));

    private static CancellationTokenSource Cancellation(CallOptions options)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(options.CancellationToken);
        if (options.Deadline is { } deadline && deadline != DateTime.MaxValue)
        {
            source.CancelAfter(TimeSpan.FromTicks(Math.Max(0, (deadline - DateTime.UtcNow).Ticks)));
        }

        return source;
    }

    /// <summary>A server stream read as newline-delimited JSON, one message a line.</summary>
    private sealed class LinesReader<T>(Task<HttpResponseMessage> opened, MessageDescriptor type, CancellationToken cancellation) : IAsyncStreamReader<T>, IDisposable
    {
        private StreamReader? lines;
        private HttpResponseMessage? response;

        public T Current { get; private set; } = default!;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            using var both = CancellationTokenSource.CreateLinkedTokenSource(cancellation, cancellationToken);
            if (lines is null)
            {
                response = await opened;
                lines = new StreamReader(await response.Content.ReadAsStreamAsync(both.Token));
            }

            string? line;
            do
            {
                line = await lines.ReadLineAsync(both.Token);
            }
            while (line is { Length: 0 });

            if (line is null)
            {
                return false;
            }

            // A stream that fails after it began ends with the error's status as its last line.
            if (line.StartsWith("{\"code\"", StringComparison.Ordinal))
            {
                throw ToRpcException(HttpStatusCode.OK, line);
            }

            Current = (T)Parser.Parse(line, type);
            return true;
        }

        public void Dispose()
        {
            lines?.Dispose();
            response?.Dispose();
        }
    }
}
