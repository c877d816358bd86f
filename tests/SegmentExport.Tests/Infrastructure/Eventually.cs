namespace SegmentExport.Tests.Infrastructure;

public static class Eventually
{
    /// <summary>Polls until <paramref name="condition"/> holds, failing with <paramref name="what"/> after the timeout.</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            if (await condition())
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting until {what}.");
            }

            await Task.Delay(100);
        }
    }
}
