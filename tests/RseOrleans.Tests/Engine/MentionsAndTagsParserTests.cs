using RseOrleans.Model;

namespace RseOrleans.Tests.Engine;

public sealed class MentionsAndTagsParserTests
{
    [Fact]
    public void Mentions_and_tags_come_distinct_in_order_of_first_appearance()
    {
        var found = MentionsAndTagsParser.Parse("@bob and @alice.martin: see #Roadmap, then #release_2 with @bob again #roadmap");

        Assert.Equal(["bob", "alice.martin"], found.Mentions);
        Assert.Equal(["roadmap", "release_2"], found.Hashtags);
    }

    [Fact]
    public void A_text_without_markers_has_none()
    {
        Assert.Same(MentionsAndTags.None, MentionsAndTagsParser.Parse("Plain words, nothing to see."));
        Assert.True(MentionsAndTagsParser.Parse("@ # @@ ## #- @.").IsNone);
    }

    [Theory]
    [InlineData("Thanks @alice.", "alice")]
    [InlineData("Ask @alice-", "alice")]
    [InlineData("Ask @alice...", "alice")]
    [InlineData("(@alice)", "alice")]
    [InlineData("cc:@alice,@bob", "alice bob")]
    [InlineData("@j.doe_2-x is here", "j.doe_2-x")]
    [InlineData("@alice's idea", "alice")]
    [InlineData("line one\n@alice", "alice")]
    [InlineData("@42team", "42team")]
    public void A_mention_is_a_user_id_and_a_sentence_end_is_not_part_of_it(string text, string expected)
    {
        Assert.Equal(expected.Split(' '), MentionsAndTagsParser.Parse(text).Mentions);
    }

    [Theory]
    [InlineData("write to alice@example.com")]
    [InlineData("write to <a.b@example.com>")]
    [InlineData("@Alice with a capital")]
    [InlineData("@andré is not an id")]
    [InlineData("@a@b")]
    [InlineData("@.alice")]
    [InlineData("@_alice")]
    [InlineData("see https://social.example/@alice")]
    [InlineData("x_@alice and 1+@alice")]
    public void What_is_not_a_mention(string text)
    {
        Assert.Empty(MentionsAndTagsParser.Parse(text).Mentions);
    }

    [Fact]
    public void An_id_longer_than_64_characters_is_not_cut_into_a_mention()
    {
        var longest = new string('a', 64);

        Assert.Equal([longest], MentionsAndTagsParser.Parse($"@{longest}.").Mentions);
        Assert.Empty(MentionsAndTagsParser.Parse($"@{longest}b").Mentions);
    }

    [Fact]
    public void Tags_differing_in_case_or_composition_are_one_tag()
    {
        // NFC "é", decomposed "e" + U+0301, and capitals: one topic.
        var found = MentionsAndTagsParser.Parse("#Réseau #réseau #RÉSEAU #re\u0301seau #RE\u0301SEAU");

        Assert.Equal(["réseau"], found.Hashtags);
        Assert.True(found.Hashtags[0].IsNormalized(System.Text.NormalizationForm.FormC));
    }

    [Theory]
    [InlineData("#café!", "café")]
    [InlineData("Bravo #équipe.", "équipe")]
    [InlineData("#日本語 #Ελλάδα", "日本語 ελλάδα")]
    [InlineData("#tag-name", "tag")]
    [InlineData("#2024goals", "2024goals")]
    [InlineData("(#ops)", "ops")]
    [InlineData("🎉#fête", "fête")]
    public void A_tag_is_a_run_of_letters_digits_and_underscores(string text, string expected)
    {
        Assert.Equal(expected.Split(' '), MentionsAndTagsParser.Parse(text).Hashtags);
    }

    [Theory]
    [InlineData("issue #42")]
    [InlineData("#_1")]
    [InlineData("C# and F#")]
    [InlineData("see page#section")]
    [InlineData("https://example.com/docs#install")]
    [InlineData("https://example.com/#/route")]
    [InlineData("www.example.com/a?b=(#c)")]
    [InlineData("## Heading")]
    [InlineData("##double")]
    public void What_is_not_a_tag(string text)
    {
        Assert.Empty(MentionsAndTagsParser.Parse(text).Hashtags);
    }

    [Fact]
    public void A_tag_longer_than_the_limit_is_not_a_tag()
    {
        var longest = new string('x', MentionsAndTagsParser.MaxHashtagLength);

        Assert.Equal([longest], MentionsAndTagsParser.Parse($"#{longest}").Hashtags);
        Assert.Empty(MentionsAndTagsParser.Parse($"#{longest}x").Hashtags);
    }

    [Fact]
    public void Past_the_caps_further_mentions_and_tags_stay_plain_text()
    {
        var text = string.Join(' ', Enumerable.Range(0, 60).Select(i => $"@user{i} #topic{i}"));

        var found = MentionsAndTagsParser.Parse(text);

        Assert.Equal(Enumerable.Range(0, MentionsAndTagsParser.MaxMentions).Select(i => $"user{i}"), found.Mentions);
        Assert.Equal(Enumerable.Range(0, MentionsAndTagsParser.MaxHashtags).Select(i => $"topic{i}"), found.Hashtags);
    }

    [Fact]
    public void Repeats_do_not_use_up_the_caps()
    {
        var text = string.Concat(Enumerable.Repeat("@same #same ", 100)) + "@other #other";

        var found = MentionsAndTagsParser.Parse(text);

        Assert.Equal(["same", "other"], found.Mentions);
        Assert.Equal(["same", "other"], found.Hashtags);
    }

    [Theory]
    [InlineData("Réseau", "réseau")]
    [InlineData("#RÉSEAU", "réseau")]
    [InlineData("release_2", "release_2")]
    public void A_topic_a_caller_names_is_normalised_as_in_a_text(string value, string expected)
    {
        Assert.True(MentionsAndTagsParser.TryNormalizeHashtag(value, out var tag));
        Assert.Equal(expected, tag);
    }

    [Theory]
    [InlineData("")]
    [InlineData("#")]
    [InlineData("42")]
    [InlineData("two words")]
    [InlineData("##twice")]
    [InlineData("tag!")]
    public void A_topic_that_is_not_exactly_one_tag_is_refused(string value)
    {
        Assert.False(MentionsAndTagsParser.TryNormalizeHashtag(value, out var tag));
        Assert.Null(tag);
    }
}
