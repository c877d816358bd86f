using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using SegmentExport.Web.Identity;

namespace SegmentExport.Web.Segments;

/// <summary>
/// Every non-GET request to a page in the segments folder needs the Contribute policy. Razor Pages ignore
/// [Authorize] on handler methods, so this filter is what keeps a Viewer's crafted POST out of every
/// handler there, present and future; hiding the buttons is only courtesy.
/// </summary>
public sealed class ChangesNeedContributor : IAsyncPageFilter
{
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        var http = context.HttpContext;
        if (!HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method))
        {
            var authorization = http.RequestServices.GetRequiredService<IAuthorizationService>();
            if (!(await authorization.AuthorizeAsync(http.User, Policies.Contribute)).Succeeded)
            {
                context.Result = new ForbidResult();
                return;
            }
        }

        await next();
    }
}
