using SegmentExport.Emulators.Common;

namespace SegmentExport.Emulators.ConstantContact;

internal sealed class RemoveMembershipsRequest
{
    public ActivitySource? Source { get; set; }

    public List<string>? ListIds { get; set; }
}

internal sealed class ActivitySource
{
    public List<string>? ContactIds { get; set; }

    public List<string>? ListIds { get; set; }
}

internal sealed class ContactDeleteRequest
{
    public List<string>? ContactIds { get; set; }

    public List<string>? ListIds { get; set; }
}

/// <summary>JSON import, list-membership removal, bulk delete and activity polling (provider-apis 3.3, 3.5).</summary>
internal static class ConstantContactActivityEndpoints
{
    public static void Map(RouteGroupBuilder api, ConstantContactEmulator cc)
    {
        api.MapPost("/activities/contacts_json_import", async (HttpContext context, CancellationToken ct) =>
        {
            var (body, tooLarge) = await ConstantContactImportReader.ReadAsync(context.Request, cc.Options, ct);
            if (tooLarge)
            {
                return ConstantContactEmulator.Error(413, "request.too_large", $"The request body is over {cc.Options.HardBodyLimitBytes} bytes.");
            }

            if (body is null)
            {
                return ConstantContactEmulator.Error(400, "json.malformed", "The request body is not valid JSON.");
            }

            var total = body.Rows.Count + body.Dropped;
            context.SetItems(total);
            if (Invalid(cc, body, total) is { } invalid)
            {
                return invalid;
            }

            if (!cc.TryQueue())
            {
                return ConstantContactEmulator.Error(429, "activity.queue.full", $"You exceeded {cc.Options.MaxQueuedActivities:N0} queued activities for this user account");
            }

            var activity = ConstantContactActivities.Start(cc, "add_contacts", a =>
            {
                for (var i = 0; i < body.Rows.Count; i++)
                {
                    ConstantContactActivities.ImportRow(cc, a, body.Rows[i], body.ListIds, i + 1);
                }
            });
            lock (activity)
            {
                activity.Status["items_total_count"] = body.Rows.Count;
                activity.Status["list_count"] = body.ListIds.Count;
            }

            return SandboxJson.Json(ConstantContactActivities.Render(activity), 201);
        });

        api.MapPost("/activities/remove_list_memberships", async (HttpContext context, CancellationToken ct) =>
        {
            var body = await JsonBody.ReadAsync<RemoveMembershipsRequest>(context.Request, SandboxJson.SnakeCase, null, ct);
            var request = body.Value;
            var contactIds = request?.Source?.ContactIds;
            var sourceLists = request?.Source?.ListIds;
            if (request?.ListIds is not { Count: > 0 and <= 50 } targets || (contactIds is null && sourceLists is null) || targets.Any(t => !cc.Lists.ContainsKey(t)))
            {
                return ConstantContactEmulator.Error(400, "activity.list_ids.invalid", "list_ids must name 1 to 50 existing lists, and source must give contact_ids or list_ids.");
            }

            if (contactIds?.Count > cc.Options.MaxContactIdsPerActivity)
            {
                return ConstantContactEmulator.Error(400, "activity.source.contact_ids.too_many", $"source.contact_ids may contain at most {cc.Options.MaxContactIdsPerActivity} contact ids.");
            }

            context.SetItems(contactIds?.Count ?? 0);
            if (!cc.TryQueue())
            {
                return ConstantContactEmulator.Error(429, "activity.queue.full", $"You exceeded {cc.Options.MaxQueuedActivities:N0} queued activities for this user account");
            }

            var contacts = contactIds is not null
                ? contactIds.Select(id => cc.ContactsById.GetValueOrDefault(id)).OfType<CcContact>().ToList()
                : cc.ContactsById.Values.Where(c => sourceLists!.Any(l => c.ListIds.Contains(l))).ToList();
            var activity = ConstantContactActivities.Start(cc, "remove_list_memberships", a =>
            {
                foreach (var contact in contacts)
                {
                    lock (contact.Sync)
                    {
                        contact.ListIds.ExceptWith(targets);
                    }

                    lock (a)
                    {
                        a.Add("items_completed_count");
                        a.Add("person_count");
                    }
                }
            });
            lock (activity)
            {
                activity.Status["items_total_count"] = contacts.Count;
                activity.Status["list_count"] = targets.Count;
            }

            return SandboxJson.Json(ConstantContactActivities.Render(activity), 201);
        });

        api.MapPost("/activities/contact_delete", async (HttpContext context, CancellationToken ct) =>
        {
            var body = await JsonBody.ReadAsync<ContactDeleteRequest>(context.Request, SandboxJson.SnakeCase, null, ct);
            var ids = body.Value?.ContactIds;
            var lists = body.Value?.ListIds;
            if ((ids is null && lists is null) || ids?.Count > cc.Options.MaxContactIdsPerActivity || lists?.Count > 50)
            {
                return ConstantContactEmulator.Error(400, "activity.contact_ids.invalid", $"Give contact_ids (at most {cc.Options.MaxContactIdsPerActivity}) or list_ids (at most 50).");
            }

            if (!cc.TryQueue())
            {
                return ConstantContactEmulator.Error(429, "activity.queue.full", $"You exceeded {cc.Options.MaxQueuedActivities:N0} queued activities for this user account");
            }

            var contacts = ids is not null
                ? ids.Select(id => cc.ContactsById.GetValueOrDefault(id)).OfType<CcContact>().ToList()
                : cc.ContactsById.Values.Where(c => lists!.Any(l => c.ListIds.Contains(l))).ToList();
            var activity = ConstantContactActivities.Start(cc, "delete_contacts", a =>
            {
                foreach (var contact in contacts)
                {
                    lock (contact.Sync)
                    {
                        contact.Deleted = true;
                        contact.ListIds.Clear();
                    }

                    lock (a)
                    {
                        a.Add("items_completed_count");
                    }
                }
            });
            return SandboxJson.Json(ConstantContactActivities.Render(activity), 201);
        });

        api.MapGet("/activities/{id}", (string id) => cc.Activities.TryGetValue(id, out var activity)
            ? SandboxJson.Json(ConstantContactActivities.Render(activity))
            : ConstantContactEmulator.Error(404, "activity.not_found", "The requested resource was not found."));

        api.MapGet("/activities", (int? limit) => SandboxJson.Json(new
        {
            activities = cc.Activities.Values.OrderByDescending(a => a.Created).Take(Math.Clamp(limit ?? 50, 1, 500)).Select(ConstantContactActivities.Render).ToList(),
        }));
    }

    /// <summary>Whole-request checks (provider-apis 3.3): rows and list ids present, ≤ 40,000 rows, known lists and custom fields.</summary>
    private static IResult? Invalid(ConstantContactEmulator cc, CcImportBody body, int total)
    {
        if (total == 0)
        {
            return ConstantContactEmulator.Error(400, "activity.import_data.required", "import_data is required and must contain at least one contact.");
        }

        if (total > cc.Options.MaxImportContacts)
        {
            return ConstantContactEmulator.Error(400, "activity.import_data.too_many", $"import_data may contain at most {cc.Options.MaxImportContacts} contacts; it has {total}.");
        }

        if (body.ListIds.Count is 0 or > 50 || body.ListIds.Any(id => !cc.Lists.ContainsKey(id)))
        {
            return ConstantContactEmulator.Error(400, "activity.list_ids.invalid", "list_ids must name 1 to 50 existing contact lists.");
        }

        // UNCONFIRMED (provider-apis 3.3: "The custom field must already exist"): an unknown cf: column rejects the request.
        string? unknown = null;
        foreach (var row in body.Rows)
        {
            foreach (var (column, _) in row)
            {
                if (column.StartsWith("cf:", StringComparison.Ordinal) && !cc.CustomFields.ContainsKey(column[3..]))
                {
                    unknown = column;
                    break;
                }
            }

            if (unknown is not null)
            {
                break;
            }
        }

        return unknown is null
            ? null
            : ConstantContactEmulator.Error(400, "activity.import_data.custom_field.not_found", $"The custom field '{unknown}' does not exist. Create it first with POST /contact_custom_fields.");
    }
}
