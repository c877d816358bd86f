using Microsoft.AspNetCore.Mvc.RazorPages;
using SegmentExport.Web.Identity;
using SegmentExport.Web.Segments;

namespace SegmentExport.Web.Exports;

public static class ExportPagesSetup
{
    public const string PagesFolder = "/Data/Exports";

    /// <summary>Services and authorization for the export pages (Data > Exports).</summary>
    public static void AddExportPages(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ExportDestinations>();
        builder.Services.AddSingleton<ExportSchedules>();
        builder.Services.AddScoped<ExportEditor>();
        builder.Services.AddScoped<ExportSummaries>();
        builder.Services.AddScoped<ExportControl>();
        // PostConfigure: AddRazorPages (called later, in AddWebUi) replaces the convention collection when it configures.
        builder.Services.PostConfigure<RazorPagesOptions>(options =>
        {
            // Viewers read the list, the exports and their runs; the form and the delete page are for contributors, GET included.
            options.Conventions.AuthorizePage(PagesFolder + "/Edit", Policies.Contribute);
            options.Conventions.AuthorizePage(PagesFolder + "/Delete", Policies.Contribute);
            // Every POST in the folder (run, cancel, duplicate, enable...) needs Contribute, whatever handler it reaches.
            options.Conventions.AddFolderApplicationModelConvention(PagesFolder, model => model.Filters.Add(new ChangesNeedContributor()));
        });
    }
}
