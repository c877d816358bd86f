using SegmentExport.Emulators.Common;

namespace SegmentExport.Tests.Emulators;

/// <summary>The per-contact set of list ids: a set (no duplicates, ordinal), through every operation the emulator uses.</summary>
public sealed class SmallSetTests
{
    [Fact]
    public void Adds_once_compares_ordinally_and_removes_what_it_is_told()
    {
        var set = new SmallSet();
        Assert.Empty(set);

        Assert.True(set.Add("list-1"));
        Assert.False(set.Add("list-1"));
        Assert.True(set.Add("LIST-1"));
        set.UnionWith(["list-2", "list-3", "list-2"]);

        Assert.Equal(["LIST-1", "list-1", "list-2", "list-3"], set.Order(StringComparer.Ordinal));
        Assert.Equal(4, set.Count);
        Assert.True(set.Contains("list-3"));
        Assert.False(set.Contains("List-3"));

        set.ExceptWith(["list-1", "missing", "list-3"]);
        Assert.Equal(["LIST-1", "list-2"], set.Order(StringComparer.Ordinal));
        Assert.False(set.Contains("list-1"));
        Assert.True(set.Add("list-1"));

        set.Clear();
        Assert.Empty(set);
        Assert.False(set.Contains("list-2"));
        Assert.True(set.Add("list-2"));
        Assert.Equal(["list-2"], set.ToList());
    }
}
