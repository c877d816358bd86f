namespace SegmentExport.Destinations.ConstantContact;

/// <summary>
/// A JSON import reports counts and error strings, no per-row results (provider-apis 3.3). When the counts say every
/// row arrived, all are accepted; otherwise the contacts are looked up: on the list means written, unsubscribed means
/// skipped (<c>cannot_add_to_list_count</c>), absent means rejected with the activity's errors.
/// </summary>
internal static class ConstantContactOutcomes
{
    public static async Task<IReadOnlyList<ContactOutcome>> MapAsync(DestinationAccount account, string listId, IReadOnlyList<string> emails, CcActivity activity, ConstantContactLookup lookup, CancellationToken cancellationToken)
    {
        var status = activity.Status ?? [];
        var errors = status.GetValueOrDefault("error_count");
        var blocked = status.GetValueOrDefault("cannot_add_to_list_count");
        if (activity.State == "completed" && errors == 0 && blocked == 0)
        {
            return new AllAccepted(emails);
        }

        var message = activity.ActivityErrors is { Count: > 0 } lines ? string.Join(" ", lines.Take(3)) : $"The import ended '{activity.State}' and this contact did not arrive.";
        var found = await lookup.FindAsync(account, listId, emails, cancellationToken);
        return emails.Select(email =>
        {
            if (!found.TryGetValue(email, out var contact))
            {
                return new ContactOutcome(email, ContactOutcomeKind.Rejected, activity.State == "completed" ? "import_error" : "import_" + activity.State, message);
            }

            if (contact.EmailAddress.PermissionToSend == "unsubscribed")
            {
                return new ContactOutcome(email, ContactOutcomeKind.Skipped, "unsubscribed", "Constant Contact does not add unsubscribed contacts to lists.");
            }

            return contact.ListMemberships?.Contains(listId, StringComparer.OrdinalIgnoreCase) == false
                ? new ContactOutcome(email, ContactOutcomeKind.Rejected, "not_added", "The contact exists but was not added to the list.")
                : new ContactOutcome(email, ContactOutcomeKind.Accepted);
        }).ToList();
    }

    /// <summary>
    /// Every email accepted, each outcome made when it is read: an import of 40,000 answered in full does not hold
    /// 40,000 outcome objects while it waits for its turn to be committed.
    /// </summary>
    private sealed class AllAccepted(IReadOnlyList<string> emails) : IReadOnlyList<ContactOutcome>
    {
        public int Count => emails.Count;

        public ContactOutcome this[int index] => new(emails[index], ContactOutcomeKind.Accepted);

        public IEnumerator<ContactOutcome> GetEnumerator()
        {
            for (var i = 0; i < emails.Count; i++)
            {
                yield return this[i];
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
