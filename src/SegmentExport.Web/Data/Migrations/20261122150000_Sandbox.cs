using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace SegmentExport.Web.Data.Migrations;

/// <summary>Connections made in sandbox mode (to the emulators the app hosts) are marked as such.</summary>
[DbContext(typeof(AppDbContext))]
[Migration("20261122150000_Sandbox")]
public sealed class Sandbox : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("ALTER TABLE connections ADD COLUMN sandbox boolean NOT NULL DEFAULT false;");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("ALTER TABLE connections DROP COLUMN sandbox;");
    }
}
