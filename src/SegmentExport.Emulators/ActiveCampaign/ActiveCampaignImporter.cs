using System.Runtime.InteropServices;
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
        lock (contact.Sync)
        {
            contact.Deleted = false;
            contact.FirstName = row.FirstName ?? contact.FirstName;
            contact.LastName = row.LastName ?? contact.LastName;
            contact.Phone = row.Phone ?? contact.Phone;
            contact.CustomerAccount = row.CustomerAcctName ?? contact.CustomerAccount;
            foreach (var field in CollectionsMarshal.AsSpan(row.Fields))
            {
                if (ac.Fields.ContainsKey(field.Id))
                {
                    contact.FieldValues[field.Id] = field.Value ?? "";
                }
            }

            foreach (var tag in CollectionsMarshal.AsSpan(row.Tags))
            {
                // Bulk import creates missing tags (provider-apis 2.4).
                contact.TagIds.Add(ac.TagNamed(tag).Id);
            }

            foreach (var list in CollectionsMarshal.AsSpan(row.Subscribe))
            {
                // "Contacts may not be subscribed to lists which they have previously unsubscribed from" (provider-apis 2.3).
                if (contact.Lists.GetValueOrDefault(list.Listid, -1) != AcStatus.Unsubscribed)
                {
                    contact.Lists[list.Listid] = AcStatus.Active;
                }
            }

            foreach (var list in CollectionsMarshal.AsSpan(row.Unsubscribe))
            {
                contact.Lists[list.Listid] = AcStatus.Unsubscribed;
            }

            contact.Updated = ac.Time.GetUtcNow();
        }

        // The lists the row named, in its order (subscribe, then unsubscribe); the request was checked against them.
        foreach (var list in CollectionsMarshal.AsSpan(row.Subscribe))
        {
            ac.Lists[list.Listid].Track(contact);
        }

        foreach (var list in CollectionsMarshal.AsSpan(row.Unsubscribe))
        {
            ac.Lists[list.Listid].Track(contact);
        }

        return contact.Id;
    }
}
