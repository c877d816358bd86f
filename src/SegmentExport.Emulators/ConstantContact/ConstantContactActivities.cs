using SegmentExport.Emulators.Common;

namespace SegmentExport.Emulators.ConstantContact;

/// <summary>
/// Bulk activities run in the background: <c>initialized</c>, then <c>processing</c> (the work is applied), then
/// <c>completed</c> with counts (provider-apis 3.3). Each holds a queue slot until it completes (1,000 max, 3.7).
/// </summary>
internal static class ConstantContactActivities
{
    /// <summary>Standard import columns kept on the contact (custom fields come as <c>cf:name</c>).</summary>
    private static readonly HashSet<string> Columns = new(StringComparer.Ordinal)
    {
        "first_name", "last_name", "phone", "home_phone", "work_phone", "mobile_phone", "other_phone", "job_title", "company_name",
        "birthday_month", "birthday_day", "anniversary", "street", "street2", "city", "state", "zip", "country", "sms_number",
    };

    public static CcActivity Start(ConstantContactEmulator cc, string type, Action<CcActivity> work)
    {
        var activity = new CcActivity(Guid.NewGuid().ToString(), type, cc.Time.GetUtcNow());
        cc.Activities[activity.Id] = activity;
        cc.Background.Run(async stopping =>
        {
            try
            {
                await Task.Delay(cc.Options.ActivityInitialized, cc.Time, stopping);
                lock (activity)
                {
                    activity.State = "processing";
                    activity.Started = activity.Updated = cc.Time.GetUtcNow();
                }

                work(activity);
                await Task.Delay(cc.Options.ActivityProcessing, cc.Time, stopping);
                lock (activity)
                {
                    activity.State = "completed";
                    activity.PercentDone = 100;
                    activity.Completed = activity.Updated = cc.Time.GetUtcNow();
                }
            }
            finally
            {
                cc.Dequeue();
            }
        });
        return activity;
    }

    /// <summary>One import row: matched by email, updated (not replaced), added to the lists unless unsubscribed (3.3, 3.9).</summary>
    public static void ImportRow(ConstantContactEmulator cc, CcActivity activity, SmallMap<string?> row, IReadOnlyList<string> listIds, int line)
    {
        var email = row.GetValueOrDefault("email")?.Trim();
        if (!EmailRules.IsDeliverable(email))
        {
            lock (activity)
            {
                activity.Add("error_count");
                activity.Add("correctable_count");
                activity.Add("items_completed_count");
                activity.Errors.Add($"Line {line}: the email address is invalid.");
            }

            return;
        }

        var contact = cc.ContactFor(email!, out var created);
        var blocked = false;
        lock (contact.Sync)
        {
            if (contact.Deleted)
            {
                // Deleted contacts can be re-added ("revived"), unlike unsubscribed ones (provider-apis 3.5).
                contact.Deleted = false;
            }

            foreach (var (column, value) in row)
            {
                if (column.StartsWith("cf:", StringComparison.Ordinal))
                {
                    contact.CustomFields[column[3..]] = value ?? "";
                }
                else if (Columns.Contains(column))
                {
                    contact.Properties[column] = value ?? "";
                }
            }

            blocked = contact.PermissionToSend == "unsubscribed";
            if (!blocked)
            {
                contact.ListIds.UnionWith(listIds);
            }

            contact.Updated = cc.Time.GetUtcNow();
        }

        if (!blocked)
        {
            foreach (var id in listIds)
            {
                cc.Lists[id].Track(contact);
            }
        }

        lock (activity)
        {
            activity.Add("person_count");
            activity.Add("items_completed_count");
            if (blocked)
            {
                activity.Add("cannot_add_to_list_count");
            }

            if (created)
            {
                activity.Add("new_contact_count");
            }
        }
    }

    public static object Render(CcActivity a)
    {
        lock (a)
        {
            return new
            {
                activity_id = a.Id,
                state = a.State,
                created_at = a.Created,
                updated_at = a.Updated,
                started_at = a.Started,
                completed_at = a.Completed,
                percent_done = a.PercentDone,
                activity_errors = a.Errors.ToList(),
                status = new Dictionary<string, int>(a.Status),
                _links = new { self = new { href = $"/v3/activities/{a.Id}" } },
            };
        }
    }
}
