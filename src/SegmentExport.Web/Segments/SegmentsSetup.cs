using Microsoft.AspNetCore.Mvc.RazorPages;
using SegmentExport.Web.Identity;

namespace SegmentExport.Web.Segments;

public static class SegmentsSetup
{
    public const string PagesFolder = "/Data/Segments";

    /// <summary>Services for segments: rule compiling, preview and refresh.</summary>
    public static void AddSegments(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<SegmentPreview>();
        builder.Services.AddScoped<SegmentRefresher>();
        builder.Services.AddScoped<SegmentUsage>();
        // PostConfigure: AddRazorPages (called later, in AddWebUi) replaces the convention collection when it configures.
        builder.Services.PostConfigure<RazorPagesOptions>(options =>
        {
            // Viewers read the list and details; editing pages are for contributors, GET included.
            options.Conventions.AuthorizePage(PagesFolder + "/Edit", Policies.Contribute);
            options.Conventions.AuthorizePage(PagesFolder + "/Delete", Policies.Contribute);
            options.Conventions.AddFolderApplicationModelConvention(PagesFolder, model => model.Filters.Add(new ChangesNeedContributor()));
        });
    }
}
