using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using SegmentExport.Web.Identity;

namespace SegmentExport.Web.Segments;

/// <summary>
/// Every non-GET request to a page in the segments folder needs the Contribute policy. Razor Pages refuse
/// [Authorize] on handler methods (MVC1001), so this filter is what keeps a Viewer's crafted POST out of every
/// handler there, present and future; hiding the buttons is only courtesy. As an authorization filter with
/// order 0 it runs before the antiforgery check (order 1000), so the answer is 403, not 400.
/// </summary>
public sealed class ChangesNeedContributor : IAsyncAuthorizationFilter
{
    public async Task OnAuthorizationAsync(AuthorizationFilterContext context)
    {
        var http = context.HttpContext;
        if (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method))
        {
            return;
        }

        var authorization = http.RequestServices.GetRequiredService<IAuthorizationService>();
        if (!(await authorization.AuthorizeAsync(http.User, Policies.Contribute)).Succeeded)
        {
            context.Result = new ForbidResult();
        }
    }
}
