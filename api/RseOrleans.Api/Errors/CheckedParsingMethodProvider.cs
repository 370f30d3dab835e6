using System.Reflection;
using Google.Protobuf;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace RseOrleans.Api.Errors;

/// <summary>
/// Binds every gRPC service's methods as grpc-dotnet's own binder does, with one difference: a
/// request message that cannot be parsed answers <c>INVALID_ARGUMENT</c> saying so. grpc-dotnet
/// parses the message before any interceptor runs and answers a parse failure with
/// <c>UNKNOWN "Exception was thrown by handler."</c> and a logged stack trace.
/// </summary>
/// <remarks>
/// It replaces grpc-dotnet's binder (<see cref="CheckedParsing.ReplaceDefaultBinder"/>): two
/// binders would map every method twice.
/// </remarks>
internal sealed partial class CheckedParsingMethodProvider<TService>(ILogger<CheckedParsingMethodProvider<TService>> logger)
    : IServiceMethodProvider<TService> where TService : class
{
    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<TService> context)
    {
        var bind = FindBindMethod(typeof(TService));
        if (bind is null)
        {
            return;
        }

        var binder = new Binder(context, logger);
        bind.Invoke(null, [binder, null]);
    }

    /// <summary>The generated <c>BindService(ServiceBinderBase, TBase)</c> that the service's base class names.</summary>
    private static MethodInfo? FindBindMethod(Type service)
    {
        for (var type = service; type is not null; type = type.BaseType)
        {
            if (type.GetCustomAttribute<BindServiceMethodAttribute>(inherit: false) is { } attribute)
            {
                return attribute.BindType.GetMethods(BindingFlags.Public | BindingFlags.Static).SingleOrDefault(method =>
                    method.Name == attribute.BindMethodName
                    && method.GetParameters() is [{ ParameterType: var first }, { ParameterType: var second }]
                    && first == typeof(ServiceBinderBase)
                    && second.IsAssignableFrom(service));
            }
        }

        return null;
    }

    private sealed class Binder(ServiceMethodProviderContext<TService> context, ILogger logger) : ServiceBinderBase
    {
        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler) =>
            context.AddUnaryMethod(Checked(method), Metadata(method, typeof(TRequest), typeof(ServerCallContext)),
                Invoker<Grpc.AspNetCore.Server.Model.UnaryServerMethod<TService, TRequest, TResponse>>(method, typeof(TRequest), typeof(ServerCallContext)));

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler) =>
            context.AddServerStreamingMethod(Checked(method), Metadata(method, typeof(TRequest), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext)),
                Invoker<Grpc.AspNetCore.Server.Model.ServerStreamingServerMethod<TService, TRequest, TResponse>>(method, typeof(TRequest), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext)));

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler) =>
            context.AddClientStreamingMethod(Checked(method), Metadata(method, typeof(IAsyncStreamReader<TRequest>), typeof(ServerCallContext)),
                Invoker<Grpc.AspNetCore.Server.Model.ClientStreamingServerMethod<TService, TRequest, TResponse>>(method, typeof(IAsyncStreamReader<TRequest>), typeof(ServerCallContext)));

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler) =>
            context.AddDuplexStreamingMethod(Checked(method), Metadata(method, typeof(IAsyncStreamReader<TRequest>), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext)),
                Invoker<Grpc.AspNetCore.Server.Model.DuplexStreamingServerMethod<TService, TRequest, TResponse>>(method, typeof(IAsyncStreamReader<TRequest>), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext)));

        private Method<TRequest, TResponse> Checked<TRequest, TResponse>(Method<TRequest, TResponse> method)
            where TRequest : class where TResponse : class
        {
            var parse = method.RequestMarshaller.ContextualDeserializer;
            var requests = new Marshaller<TRequest>(method.RequestMarshaller.ContextualSerializer, message =>
            {
                try
                {
                    return parse(message);
                }
                catch (InvalidProtocolBufferException error)
                {
                    LogUnparsable(logger, method.FullName, error.Message);
                    throw new RpcException(new Status(StatusCode.InvalidArgument,
                        $"The request message could not be parsed as {typeof(TRequest).Name}: {error.Message}"));
                }
            });
            return new Method<TRequest, TResponse>(method.Type, method.ServiceName, method.Name, requests, method.ResponseMarshaller);
        }

        /// <summary>The service's and the implementing method's attributes, as grpc-dotnet gives its endpoints.</summary>
        private static List<object> Metadata(IMethod method, params Type[] parameters)
        {
            var metadata = new List<object>(typeof(TService).GetCustomAttributes(inherit: true));
            if (typeof(TService).GetMethod(method.Name, parameters) is { } implementation)
            {
                metadata.AddRange(implementation.GetCustomAttributes(inherit: true));
            }

            return metadata;
        }

        /// <summary>An open-instance delegate to the service's method: it dispatches to the override.</summary>
        private static TDelegate Invoker<TDelegate>(IMethod method, params Type[] parameters) where TDelegate : Delegate =>
            (TDelegate)Delegate.CreateDelegate(typeof(TDelegate), typeof(TService).GetMethod(method.Name, parameters)
                ?? throw new InvalidOperationException($"{typeof(TService).Name} has no method {method.Name}."));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method}: the request message could not be parsed ({Reason}); answered INVALID_ARGUMENT")]
    private static partial void LogUnparsable(ILogger logger, string method, string reason);
}
