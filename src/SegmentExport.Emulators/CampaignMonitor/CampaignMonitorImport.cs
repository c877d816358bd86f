using System.Runtime.InteropServices;
using SegmentExport.Emulators.Common;

namespace SegmentExport.Emulators.CampaignMonitor;

internal sealed record ImportFailure(string EmailAddress, int Code, string Message);

internal sealed record ImportResult(
    int TotalUniqueEmailsSubmitted,
    int TotalExistingSubscribers,
    int TotalNewSubscribers,
    List<string> DuplicateEmailsInSubmission,
    List<ImportFailure> FailureDetails);

/// <summary>The per-row rules of <c>subscribers/{listid}/import.json</c> (provider-apis 4.3, 4.8, 4.9).</summary>
internal static class CampaignMonitorImport
{
    private static readonly Dictionary<string, (int Code, string Message)> Inactive = new(StringComparer.Ordinal)
    {
        ["Deleted"] = (205, "Is Deleted"),
        ["Unsubscribed"] = (206, "Is Unsubscribed"),
        ["Bounced"] = (207, "Is Bounced"),
    };

    public static ImportResult Run(CampaignMonitorEmulator cm, CmList list, ImportRequest request)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var duplicates = new List<string>();
        var failures = new List<ImportFailure>();
        int existing = 0, created = 0;
        foreach (var row in request.Subscribers!)
        {
            var email = row.EmailAddress?.Trim() ?? "";
            if (!seen.Add(email))
            {
                if (!duplicates.Contains(email, StringComparer.OrdinalIgnoreCase))
                {
                    duplicates.Add(email);
                }

                continue;
            }

            if (Reject(cm, row, email) is { } failure)
            {
                failures.Add(failure);
                continue;
            }

            var subscriber = list.GetOrAdd(email, cm.Time, out var isNew);
            if (isNew)
            {
                Apply(list, subscriber, row, "Active");
                created++;
                continue;
            }

            lock (subscriber.Sync)
            {
                if (!request.Resubscribe && Inactive.TryGetValue(subscriber.State, out var inactive))
                {
                    // Without Resubscribe, deleted, unsubscribed and bounced people stay as they are (provider-apis 4.5, 4.9).
                    if (cm.Options.ReportInactiveRowsAsFailures)
                    {
                        failures.Add(new ImportFailure(email, inactive.Code, inactive.Message));
                    }
                    else
                    {
                        existing++;
                    }

                    continue;
                }

                Apply(list, subscriber, row, "Active");
                existing++;
            }
        }

        return new ImportResult(seen.Count, existing, created, duplicates, failures);
    }

    private static ImportFailure? Reject(CampaignMonitorEmulator cm, ImportSubscriber row, string email)
    {
        if (!EmailRules.IsDeliverable(email))
        {
            return new ImportFailure(email, 1, "Invalid Email Address");
        }

        // ConsentToTrack is required on v3.3 (provider-apis 4.3, codes 214/215).
        if (string.IsNullOrEmpty(row.ConsentToTrack))
        {
            return new ImportFailure(email, 214, "ConsentToTrack is required");
        }

        if (row.ConsentToTrack is not ("Yes" or "No" or "Unchanged"))
        {
            return new ImportFailure(email, 215, "ConsentToTrack must be Yes, No or Unchanged");
        }

        if (row.CustomFields?.FirstOrDefault(f => f.Value?.Length > 250) is { } tooLong)
        {
            return new ImportFailure(email, 1, $"The value of custom field {tooLong.Key} is longer than 250 characters");
        }

        return cm.Suppressed.Contains(email) ? new ImportFailure(email, 204, "In Suppression List") : null;
    }

    /// <summary>Writes a row; call with the subscriber's lock held or before it is visible.</summary>
    private static void Apply(CmList list, CmSubscriber subscriber, ImportSubscriber row, string state)
    {
        lock (subscriber.Sync)
        {
            list.SetState(subscriber, state);
            subscriber.Name = row.Name ?? subscriber.Name;
            if (row.ConsentToTrack is "Yes" or "No")
            {
                subscriber.ConsentToTrack = row.ConsentToTrack;
            }

            HashSet<string>? multiValued = null;
            foreach (var field in CollectionsMarshal.AsSpan(row.CustomFields))
            {
                // Keys may come with or without brackets (UNCONFIRMED, provider-apis 4.4); unknown keys are ignored.
                var key = CmList.BareKey(field.Key ?? "");
                if (!list.Fields.TryGetValue(key, out var definition))
                {
                    continue;
                }

                if (field.Clear)
                {
                    subscriber.CustomFields.Remove(key);
                }
                else if (definition.DataType == "MultiSelectMany" && !(multiValued ??= new(StringComparer.OrdinalIgnoreCase)).Add(key))
                {
                    subscriber.CustomFields[key].Add(field.Value ?? "");
                }
                else
                {
                    subscriber.CustomFields[key] = [field.Value ?? ""];
                }
            }

        }
    }
}
