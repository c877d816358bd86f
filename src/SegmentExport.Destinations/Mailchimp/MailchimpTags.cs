using System.Net;

namespace SegmentExport.Destinations.Mailchimp;

/// <summary>
/// Tags are static segments (provider-apis 1.4): members go in with <c>members_to_add</c>, at most 500 a call.
/// Per-member <c>tags</c> in batch subscribe are UNCONFIRMED (1.3A), so they are not relied on.
/// </summary>
internal sealed class MailchimpTags(MailchimpClient client, MailchimpSettings settings)
{
    private const int MaxSegmentMembers = 500;

    public async Task ApplyAsync(DestinationAccount account, string listId, IReadOnlyList<ContactRecord> contacts, UpsertResult result, CancellationToken cancellationToken)
    {
        var written = result.Outcomes.Where(o => o.Kind is ContactOutcomeKind.Created or ContactOutcomeKind.Updated)
            .Select(o => o.Email).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var byTag = contacts.Where(c => c.Tags is { Count: > 0 } && written.Contains(c.Email.Trim()))
            .SelectMany(c => c.Tags!.Select(t => (Tag: t, Email: c.Email.Trim())))
            .GroupBy(x => x.Tag, StringComparer.OrdinalIgnoreCase)
            .ToList();
        if (byTag.Count == 0)
        {
            return;
        }

        var list = Uri.EscapeDataString(listId);
        var segments = await client.GetAsync<McSegments>(account, $"lists/{list}/segments?type=static&count=1000", "read the tags", cancellationToken);
        foreach (var group in byTag)
        {
            var id = segments.Segments.FirstOrDefault(s => string.Equals(s.Name, group.Key, StringComparison.OrdinalIgnoreCase))?.Id
                ?? await CreateAsync(account, list, group.Key, cancellationToken);
            foreach (var chunk in group.Select(x => x.Email).Distinct(StringComparer.OrdinalIgnoreCase).Chunk(MaxSegmentMembers))
            {
                var body = Batches.Body(new McSegmentMembers(chunk), settings.MaxBatchBytes, WireJson.SnakeCase);
                using var response = await client.SendAsync(account, HttpMethod.Post, $"lists/{list}/segments/{id}", body, cancellationToken, bulk: true);
                if (!response.IsSuccessStatusCode)
                {
                    throw await client.FailureAsync(response, "tag members", cancellationToken);
                }
            }
        }
    }

    private async Task<int> CreateAsync(DestinationAccount account, string list, string name, CancellationToken cancellationToken)
    {
        var body = Batches.Json(new McSegmentCreate(name, []), WireJson.SnakeCase);
        using var response = await client.SendAsync(account, HttpMethod.Post, $"lists/{list}/segments", body, cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw await client.FailureAsync(response, "create a tag", cancellationToken);
        }

        var segment = await response.Content.ReadFromJsonAsync<McSegment>(WireJson.SnakeCase, cancellationToken);
        return segment!.Id;
    }
}
