using SegmentExport.Emulators.Common;

namespace SegmentExport.Emulators.ActiveCampaign;

/// <summary>Applies one imported contact: the per-row rules of a bulk import job (provider-apis 2.3, 2.9).</summary>
internal static class ActiveCampaignImporter
{
    /// <summary>The contact id on success; null when the row lands in <c>failure[]</c>.</summary>
    public static int? Import(ActiveCampaignEmulator ac, BulkContact row)
    {
        var email = row.Email?.Trim() ?? "";

        // UNCONFIRMED (provider-apis 2.3): excluded emails are "skipped"; they are reported in failure[], the only per-row channel.
        if (ac.Exclusions.ContainsKey(email) || !EmailRules.IsDeliverable(email))
        {
            return null;
        }

        var contact = ac.ContactFor(email, out _);
        var lists = new List<AcList>();
        lock (contact.Sync)
        {
            contact.Deleted = false;
            contact.FirstName = row.FirstName ?? contact.FirstName;
            contact.LastName = row.LastName ?? contact.LastName;
            contact.Phone = row.Phone ?? contact.Phone;
            contact.CustomerAccount = row.CustomerAcctName ?? contact.CustomerAccount;
            foreach (var field in row.Fields ?? [])
            {
                if (ac.Fields.ContainsKey(field.Id))
                {
                    contact.FieldValues[field.Id] = field.Value ?? "";
                }
            }

            foreach (var tag in row.Tags ?? [])
            {
                // Bulk import creates missing tags (provider-apis 2.4).
                contact.TagIds.Add(ac.TagNamed(tag).Id);
            }

            foreach (var list in row.Subscribe ?? [])
            {
                // "Contacts may not be subscribed to lists which they have previously unsubscribed from" (provider-apis 2.3).
                if (contact.Lists.GetValueOrDefault(list.Listid, -1) != AcStatus.Unsubscribed)
                {
                    contact.Lists[list.Listid] = AcStatus.Active;
                }

                lists.Add(ac.Lists[list.Listid]);
            }

            foreach (var list in row.Unsubscribe ?? [])
            {
                contact.Lists[list.Listid] = AcStatus.Unsubscribed;
                lists.Add(ac.Lists[list.Listid]);
            }

            contact.Updated = ac.Time.GetUtcNow();
        }

        foreach (var list in lists)
        {
            list.Track(contact);
        }

        return contact.Id;
    }
}
