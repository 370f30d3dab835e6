using System.Globalization;
using System.Text;
using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Analysis.En;
using Lucene.Net.Analysis.Fr;
using Lucene.Net.Analysis.Miscellaneous;
using Lucene.Net.Analysis.Standard;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Analysis.Util;
using Lucene.Net.Util;

namespace RseOrleans.Search;

/// <summary>
/// How texts become terms: French and English each with their stop words and a light stemmer
/// (so that plurals and inflected forms meet), both folding accents (<c>réseau</c> meets
/// <c>reseaux</c>), and a plain form (lower case, folded, no stemming) that every text also gets,
/// for names, ids and words of neither language.
/// </summary>
internal static class TextAnalysis
{
    public const LuceneVersion Version = LuceneVersion.LUCENE_48;

    public const string French = "fr";
    public const string English = "en";

    public static readonly Analyzer Plain = Analyzer.NewAnonymous((_, reader) =>
    {
        var source = new StandardTokenizer(Version, reader);
        TokenStream stream = new LowerCaseFilter(Version, source);
        stream = new ASCIIFoldingFilter(stream);
        return new TokenStreamComponents(source, stream);
    });

    public static readonly Analyzer FrenchText = Analyzer.NewAnonymous((_, reader) =>
    {
        var source = new StandardTokenizer(Version, reader);
        // l'équipe, d'un: the article goes before the word is looked at.
        TokenStream stream = new ElisionFilter(source, FrenchAnalyzer.DEFAULT_ARTICLES);
        stream = new LowerCaseFilter(Version, stream);
        stream = new StopFilter(Version, stream, FrenchAnalyzer.DefaultStopSet);
        // The stemmer reads accents, so folding comes after it.
        stream = new FrenchLightStemFilter(stream);
        stream = new ASCIIFoldingFilter(stream);
        return new TokenStreamComponents(source, stream);
    });

    public static readonly Analyzer EnglishText = Analyzer.NewAnonymous((_, reader) =>
    {
        var source = new StandardTokenizer(Version, reader);
        TokenStream stream = new EnglishPossessiveFilter(Version, source);
        stream = new LowerCaseFilter(Version, stream);
        stream = new StopFilter(Version, stream, EnglishAnalyzer.DefaultStopSet);
        stream = new ASCIIFoldingFilter(stream);
        stream = new PorterStemFilter(stream);
        return new TokenStreamComponents(source, stream);
    });

    /// <summary>The terms <paramref name="analyzer"/> makes of <paramref name="text"/>, in order.</summary>
    public static List<string> Terms(Analyzer analyzer, string field, string text)
    {
        var terms = new List<string>();
        using var stream = analyzer.GetTokenStream(field, text);
        var term = stream.AddAttribute<ICharTermAttribute>();
        stream.Reset();
        while (stream.IncrementToken())
        {
            terms.Add(term.ToString());
        }

        stream.End();
        return terms;
    }

    /// <summary>Lower case without accents: how exact filters (department, skill…) compare.</summary>
    public static string Fold(string value)
    {
        var decomposed = value.Trim().ToLowerInvariant().Normalize(NormalizationForm.FormD);
        var folded = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
            {
                folded.Append(c);
            }
        }

        return folded.ToString().Normalize(NormalizationForm.FormC);
    }

    /// <summary>"fr" or "en": the profile's language when it names one of them, else a guess from the text.</summary>
    public static string LanguageOf(string? declared, string text)
    {
        var language = declared?.Trim().ToLowerInvariant() ?? "";
        if (language.StartsWith(French, StringComparison.Ordinal))
        {
            return French;
        }

        if (language.StartsWith(English, StringComparison.Ordinal))
        {
            return English;
        }

        return Guess(text);
    }

    private static readonly HashSet<string> FrenchMarkers = new(StringComparer.Ordinal)
    {
        "le", "la", "les", "des", "du", "de", "un", "une", "et", "est", "sont", "pour", "dans", "avec",
        "sur", "pas", "que", "qui", "nous", "vous", "je", "ce", "cette", "au", "aux", "ou", "mais",
    };

    private static readonly HashSet<string> EnglishMarkers = new(StringComparer.Ordinal)
    {
        "the", "and", "is", "are", "to", "of", "in", "for", "with", "on", "we", "you", "this", "that",
        "it", "not", "a", "an", "our", "was", "be", "have", "has", "will", "from", "at", "by",
    };

    private static readonly System.Buffers.SearchValues<char> FrenchLetters = System.Buffers.SearchValues.Create("éèêàçùôîœ");

    /// <summary>Counts the commonest small words of each language; accents tip a tie towards French.</summary>
    private static string Guess(string text)
    {
        int french = 0, english = 0;
        foreach (var word in text.ToLowerInvariant().Split([' ', '\n', '\t', ',', '.', ';', ':', '!', '?', '\'', '’', '(', ')'], StringSplitOptions.RemoveEmptyEntries))
        {
            french += FrenchMarkers.Contains(word) ? 1 : 0;
            english += EnglishMarkers.Contains(word) ? 1 : 0;
        }

        if (french != english)
        {
            return french > english ? French : English;
        }

        return text.AsSpan().IndexOfAny(FrenchLetters) >= 0 ? French : English;
    }
}
