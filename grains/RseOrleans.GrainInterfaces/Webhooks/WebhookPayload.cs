using System.Globalization;
using System.Text.Json;

namespace RseOrleans.Model;

/// <summary>
/// The body of a delivery, in the Standard Webhooks shape: type, timestamp and data. Thin on
/// purpose: the ids a receiver needs, never the text, which it fetches with its own credentials,
/// so that what it gets is what it may read at that moment (an edit, a delete, an erasure).
/// </summary>
public static class WebhookPayload
{
    public static string Of(EngineEvent engineEvent)
    {
        var data = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["event_id"] = engineEvent.EventId,
            ["actor_id"] = engineEvent.ActorId,
        };
        if (engineEvent.GroupId is { } groupId)
        {
            data["group_id"] = groupId;
        }

        if (engineEvent.PostId != 0)
        {
            data["post_id"] = engineEvent.PostId.ToString(CultureInfo.InvariantCulture);
        }

        if (engineEvent.CommentId != 0)
        {
            data["comment_id"] = engineEvent.CommentId.ToString(CultureInfo.InvariantCulture);
        }

        if (engineEvent.SharedPostId != 0)
        {
            data["shared_post_id"] = engineEvent.SharedPostId.ToString(CultureInfo.InvariantCulture);
        }

        if (engineEvent.UserId is { } userId)
        {
            data["user_id"] = userId;
        }

        if (engineEvent.Reaction is { } reaction)
        {
            data["reaction"] = reaction.ToString().ToLowerInvariant();
        }

        return JsonSerializer.Serialize(new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["type"] = WebhookEventTypes.NameOf(engineEvent.Kind),
            ["timestamp"] = engineEvent.At.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
            ["data"] = data,
        });
    }
}
