using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Migrations;
using SegmentExport.Web.Data;

namespace SegmentExport.Tests.Database;

/// <summary>The migrations the app ships, in order, read from its migrations assembly (not hard-coded here).</summary>
public static class LatestMigrations
{
    public static IReadOnlyList<string> All { get; } = Read();

    private static List<string> Read()
    {
        using var context = new AppDbContext(new DbContextOptionsBuilder<AppDbContext>().UseNpgsql("Host=unused").Options);
        return [.. context.Database.GetMigrations()];
    }
}
