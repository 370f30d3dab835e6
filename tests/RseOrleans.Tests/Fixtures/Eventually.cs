namespace RseOrleans.Tests.Fixtures;

public static class Eventually
{
    /// <summary>Waits for a condition that recovery or a background job makes true; fails after 90 s naming it.</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what}.");
            await Task.Delay(20);
        }
    }
}
