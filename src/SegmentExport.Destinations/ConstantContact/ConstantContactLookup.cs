namespace SegmentExport.Destinations.ConstantContact;

/// <summary>
/// Finds contacts by email, in bulk: removals need contact ids, and an import's counts need a look at who did not
/// arrive (provider-apis 3.3, 3.5). A few emails are looked up one by one; many by walking the list's members.
/// </summary>
internal sealed class ConstantContactLookup(ConstantContactClient client, ConstantContactSettings settings)
{
    private const int PageSize = 500;

    /// <summary>The contacts found for the emails, by email (case-insensitive); absent ones are missing.</summary>
    public async Task<Dictionary<string, CcContact>> FindAsync(DestinationAccount account, string listId, IReadOnlyCollection<string> emails, CancellationToken cancellationToken)
    {
        var wanted = emails.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var found = new Dictionary<string, CcContact>(StringComparer.OrdinalIgnoreCase);
        if (wanted.Count > settings.LookupByEmailMax)
        {
            // The list's members, 500 a page, following the cursor (provider-apis 3.5).
            string? cursor = null;
            do
            {
                var path = $"contacts?lists={Uri.EscapeDataString(listId)}&limit={PageSize}&include=list_memberships{(cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor))}";
                var page = await client.GetAsync<CcContacts>(account, path, "look up contacts", cancellationToken);
                foreach (var contact in page.Contacts.Where(c => wanted.Contains(c.EmailAddress.Address)))
                {
                    found[contact.EmailAddress.Address] = contact;
                }

                cursor = CursorOf(page.Links?.Next?.Href);
            }
            while (cursor is not null && found.Count < wanted.Count);
        }

        // Whatever is still missing (all of them for a small batch) is asked for by email.
        foreach (var email in wanted.Where(e => !found.ContainsKey(e)).ToList())
        {
            var page = await client.GetAsync<CcContacts>(account, $"contacts?email={Uri.EscapeDataString(email)}&status=all&include=list_memberships", "look up a contact", cancellationToken);
            if (page.Contacts.FirstOrDefault() is { } contact)
            {
                found[email] = contact;
            }
        }

        return found;
    }

    /// <summary>The <c>cursor</c> of a <c>_links.next.href</c>; the href's own path is the platform's, not our base URL's.</summary>
    private static string? CursorOf(string? href)
    {
        if (string.IsNullOrEmpty(href) || href.IndexOf('?', StringComparison.Ordinal) is var q && q < 0)
        {
            return null;
        }

        foreach (var pair in href[(q + 1)..].Split('&'))
        {
            if (pair.StartsWith("cursor=", StringComparison.Ordinal))
            {
                return Uri.UnescapeDataString(pair["cursor=".Length..]);
            }
        }

        return null;
    }
}
