using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.RazorPages.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace SegmentExport.Tests.Security;

/// <summary>
/// Every way into the app, read from the app's own <see cref="EndpointDataSource"/>: one key per Razor Page handler
/// ("POST /Admin/Users/Edit?handler=Role", "GET /Data/Exports/Index") and per other endpoint ("POST /api/profiles").
/// A page without handler methods answers GET.
/// </summary>
public static class Endpoints
{
    public static async Task<SortedSet<string>> KeysAsync(IServiceProvider services)
    {
        var source = services.GetRequiredService<EndpointDataSource>();
        var loader = services.GetRequiredService<PageLoader>();
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var endpoint in source.Endpoints.OfType<RouteEndpoint>())
        {
            if (endpoint.Metadata.GetMetadata<PageActionDescriptor>() is { } page)
            {
                var compiled = page as CompiledPageActionDescriptor ?? await loader.LoadAsync(page, endpoint.Metadata);
                if (compiled.HandlerMethods.Count == 0)
                {
                    keys.Add($"GET {page.ViewEnginePath}");
                }

                foreach (var handler in compiled.HandlerMethods)
                {
                    keys.Add($"{handler.HttpMethod.ToUpperInvariant()} {page.ViewEnginePath}{(handler.Name is null ? "" : "?handler=" + handler.Name)}");
                }

                continue;
            }

            var route = "/" + (endpoint.RoutePattern.RawText ?? "").TrimStart('/');
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [HttpMethods.Get];
            foreach (var method in methods)
            {
                keys.Add($"{method.ToUpperInvariant()} {route}");
            }
        }

        return keys;
    }
}
