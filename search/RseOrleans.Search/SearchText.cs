namespace RseOrleans.Search;

/// <summary>
/// The text rules every engine shares, for engines that live outside this assembly (the
/// PostgreSQL one): how exact values are folded and how a text's language is chosen.
/// </summary>
public static class SearchText
{
    public const string French = TextAnalysis.French;

    public const string English = TextAnalysis.English;

    /// <summary>Lower case without accents: how exact filters (department, skill, tag) compare.</summary>
    public static string Fold(string value) => TextAnalysis.Fold(value);

    /// <summary>"fr" or "en": the profile's language when it names one of them, else a guess from the text.</summary>
    public static string LanguageOf(string? declared, string text) => TextAnalysis.LanguageOf(declared, text);

    /// <summary>The folded words of a text (letters and digits), in order: names as typeahead reads them.</summary>
    public static IReadOnlyList<string> Words(string text)
    {
        var words = new List<string>();
        var folded = Fold(text);
        var start = -1;
        for (var i = 0; i <= folded.Length; i++)
        {
            var inWord = i < folded.Length && char.IsLetterOrDigit(folded[i]);
            if (inWord && start < 0)
            {
                start = i;
            }
            else if (!inWord && start >= 0)
            {
                words.Add(folded[start..i]);
                start = -1;
            }
        }

        return words;
    }
}

/// <summary>
/// An engine fed by itself from queues its store keeps (durable mode): posts and comments from the
/// activity log, people and groups from their grains' stored state. The API's feeder leaves it alone.
/// </summary>
public interface IFedFromStoredQueues
{
}
