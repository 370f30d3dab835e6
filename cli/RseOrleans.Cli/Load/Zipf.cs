namespace RseOrleans.Cli.Load;

/// <summary>
/// Draws ranks 0..n-1 with probability proportional to 1/(rank+1)^s: a few very popular items and
/// a long tail, the shape of group sizes, follower counts and activity in real networks.
/// </summary>
internal sealed class Zipf
{
    private readonly double[] cumulative;

    public Zipf(int n, double exponent = 1.0)
    {
        cumulative = new double[n];
        var sum = 0.0;
        for (var rank = 0; rank < n; rank++)
        {
            sum += 1.0 / Math.Pow(rank + 1, exponent);
            cumulative[rank] = sum;
        }

        for (var rank = 0; rank < n; rank++)
        {
            cumulative[rank] /= sum;
        }
    }

    public int Next(Random random)
    {
        var index = Array.BinarySearch(cumulative, random.NextDouble());
        return Math.Min(index >= 0 ? index : ~index, cumulative.Length - 1);
    }
}
