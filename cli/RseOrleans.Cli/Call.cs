using System.CommandLine;
using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using RseOrleans.Api.V1;

namespace RseOrleans.Cli;

/// <summary>One command's connection to the engine on behalf of one caller, and where its answer goes.</summary>
internal sealed class Call(ParseResult parse, GrpcChannel channel, string? userId, string? token, string requestId, bool json, CancellationToken cancellation)
{
    // Scripts read every field, zero values included, under their proto names' JSON spelling.
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));

    private TimeZoneInfo? zone;

    public ParseResult Parse => parse;

    public GrpcChannel Channel => channel;

    public string? UserId => userId;

    /// <summary>The request id of a mutating command; empty for a read.</summary>
    public string RequestId => requestId;

    public bool Json => json;

    public CancellationToken Cancellation => cancellation;

    public TextWriter Out => parse.InvocationConfiguration.Output;

    public TextWriter Error => parse.InvocationConfiguration.Error;

    public Users.UsersClient Users => new(channel);

    public Groups.GroupsClient Groups => new(channel);

    public Posts.PostsClient Posts => new(channel);

    public Feeds.FeedsClient Feeds => new(channel);

    public Topics.TopicsClient Topics => new(channel);
    public Notifications.NotificationsClient Notifications => new(channel);

    public Api.V1.Search.SearchClient Search => new(channel);

    public Api.V1.Admin.AdminClient Admin => new(channel);

    /// <summary>
    /// The token when there is one (an engine in token mode ignores the development header), and
    /// the development header when a user is named.
    /// </summary>
    public Metadata Headers
    {
        get
        {
            var headers = new Metadata();
            if (!string.IsNullOrWhiteSpace(token))
            {
                headers.Add("authorization", $"Bearer {token}");
            }

            if (userId is not null)
            {
                headers.Add("x-rse-user", userId);
            }

            return headers;
        }
    }

    public T Get<T>(Argument<T> argument) => parse.GetValue(argument)!;

    public T Get<T>(Option<T> option) => parse.GetValue(option)!;

    /// <summary>Prints the engine's answer: as JSON, or as <paramref name="text"/> says.</summary>
    public void Print(IMessage answer, Action<TextWriter> text)
    {
        if (json)
        {
            Out.WriteLine(Formatter.Format(answer));
        }
        else
        {
            text(Out);
        }
    }

    /// <summary>Prints the answer as JSON, or as text once the caller's time zone is known.</summary>
    public async Task PrintAsync(IMessage answer, Action<TextWriter, TimeZoneInfo> text)
    {
        if (json)
        {
            Out.WriteLine(Formatter.Format(answer));
        }
        else
        {
            var callerZone = await TimeZoneAsync();
            text(Out, callerZone);
        }
    }

    /// <summary>
    /// Where the caller's clock is: the time zone of their profile, else this machine's. Read once
    /// per command, and only by commands that print times.
    /// </summary>
    public async Task<TimeZoneInfo> TimeZoneAsync()
    {
        if (zone is not null)
        {
            return zone;
        }

        zone = TimeZoneInfo.Local;
        if (userId is not null)
        {
            try
            {
                var caller = await Users.GetUserAsync(new GetUserRequest { UserId = userId }, Headers, cancellationToken: cancellation);
                if (caller.Profile.TimeZone.Length > 0 && TimeZoneInfo.TryFindSystemTimeZoneById(caller.Profile.TimeZone, out var profileZone))
                {
                    zone = profileZone;
                }
            }
            catch (RpcException) when (!cancellation.IsCancellationRequested)
            {
                // The command's own call will say what is wrong with the caller; times fall back to local.
            }
        }

        return zone;
    }

    /// <summary>A time in <paramref name="zone"/>, with its UTC offset: <c>2026-11-22 20:50 +01:00</c>.</summary>
    public static string Time(Timestamp time, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(time.ToDateTimeOffset(), zone).ToString("yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture);
}
