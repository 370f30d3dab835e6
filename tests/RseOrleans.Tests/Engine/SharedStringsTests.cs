using RseOrleans.Grains.Infrastructure;

namespace RseOrleans.Tests.Engine;

public sealed class SharedStringsTests
{
    [Fact]
    public void Equal_values_read_by_different_grains_become_one_instance()
    {
        var strings = new SharedStrings();
        var first = new string("Engineering".AsSpan());
        var second = new string("Engineering".AsSpan());

        Assert.Same(first, strings.Share(first));
        Assert.Same(first, strings.Share(second));
    }

    [Fact]
    public void A_list_of_values_comes_back_in_order_with_shared_instances()
    {
        var strings = new SharedStrings();
        var orleans = strings.Share(new string("Orleans".AsSpan()));

        var skills = strings.Share([new string("Orleans".AsSpan()), "gRPC"]);

        Assert.Equal(["Orleans", "gRPC"], skills);
        Assert.Same(orleans, skills[0]);
    }

    [Fact]
    public void Long_values_and_values_past_the_bound_are_kept_as_they_are()
    {
        var strings = new SharedStrings(maxValues: 2);
        var longValue = new string('x', SharedStrings.MaxLength + 1);
        Assert.Same(longValue, strings.Share(longValue));
        Assert.NotSame(longValue, strings.Share(new string('x', SharedStrings.MaxLength + 1)));

        strings.Share("Paris");
        strings.Share("Lyon");
        var third = new string("Nantes".AsSpan());
        Assert.Same(third, strings.Share(third));
        Assert.NotSame(third, strings.Share(new string("Nantes".AsSpan())));

        // Values shared before the bound was reached still are.
        Assert.Same(strings.Share("Paris"), strings.Share(new string("Paris".AsSpan())));
    }
}
