namespace SegmentExport.Emulators.Common;

/// <summary>
/// <c>/_emulator/...</c>: discovery, the request log, per-platform inspection, fault control and revocation.
/// Bodies use ASP.NET Core's web JSON defaults (camelCase), unlike the platforms' own wire formats.
/// </summary>
internal static class ControlEndpoints
{
    public sealed record RevokeRequest(string Credential);

    public static void Map(RouteGroupBuilder group, IReadOnlyList<ISandboxPlatform> platforms, RequestLog log, string prefix)
    {
        ISandboxPlatform? Find(string name) => platforms.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

        group.MapGet("/", (HttpContext context) =>
        {
            var root = SandboxUrls.Root(context, prefix);
            return Results.Ok(new { platforms = platforms.Select(p => p.Describe(SandboxUrls.Platform(root, p.Name))) });
        });

        group.MapGet("/requests", (string? platform, int? take) => Results.Ok(log.Recent(platform, Math.Clamp(take ?? 100, 1, 100_000))));
        group.MapGet("/requests/count", () => Results.Ok(new { requests = log.Count, throttled = log.Throttled }));

        // The benchmark's raw pipeline posts here: the body is read to its end and dropped, nothing else happens.
        group.MapPost("/sink", async (HttpContext context) =>
        {
            var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(64 * 1024);
            long bytes = 0;
            try
            {
                int read;
                while ((read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
                {
                    bytes += read;
                }
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            }

            return Results.Ok(new { bytes });
        });

        // Background jobs still running (asynchronous imports being processed): the benchmark waits for 0.
        group.MapGet("/background", (BackgroundWork work) => Results.Ok(new { running = work.Running }));

        group.MapDelete("/requests", () =>
        {
            log.Clear();
            return Results.NoContent();
        });

        group.MapGet("/{platform}/lists", (string platform) =>
            Find(platform) is { } p ? Results.Ok(p.InspectLists()) : UnknownPlatform(platform));

        group.MapGet("/{platform}/lists/{listId}/contacts", (string platform, string listId, int? offset, int? limit) =>
        {
            if (Find(platform) is not { } p)
            {
                return UnknownPlatform(platform);
            }

            var page = p.InspectContacts(listId, Math.Max(0, offset ?? 0), Math.Clamp(limit ?? 100, 1, 10_000));
            return page is null ? Results.NotFound(new { error = $"No list '{listId}' on {platform}." }) : Results.Ok(page);
        });

        group.MapGet("/{platform}/lists/{listId}/contacts/{email}", (string platform, string listId, string email) =>
        {
            if (Find(platform) is not { } p)
            {
                return UnknownPlatform(platform);
            }

            return p.InspectContact(listId, email) is { } contact
                ? Results.Ok(contact)
                : Results.NotFound(new { error = $"No contact '{email}' in list '{listId}' on {platform}." });
        });

        group.MapGet("/{platform}/faults", (string platform) =>
            Find(platform) is { } p ? Results.Ok(p.Faults.Current) : UnknownPlatform(platform));

        group.MapPut("/{platform}/faults", (string platform, FaultOptions options) =>
        {
            if (Find(platform) is not { } p)
            {
                return UnknownPlatform(platform);
            }

            var problems = options.Validate().ToList();
            if (problems.Count > 0)
            {
                return Results.BadRequest(new { errors = problems });
            }

            p.Faults.Configure(options);
            return Results.Ok(p.Faults.Current);
        });

        group.MapPost("/{platform}/faults/reset", (string platform) =>
        {
            if (Find(platform) is not { } p)
            {
                return UnknownPlatform(platform);
            }

            p.Faults.Reset();
            return Results.Ok(p.Faults.Current);
        });

        group.MapPost("/{platform}/revoke", (string platform, RevokeRequest request) =>
        {
            if (Find(platform) is not { } p)
            {
                return UnknownPlatform(platform);
            }

            return p.Revoke(request.Credential) ? Results.NoContent() : Results.NotFound(new { error = "No such key or token on this platform." });
        });
    }

    private static IResult UnknownPlatform(string name) => Results.NotFound(new { error = $"No sandbox platform '{name}'." });
}
