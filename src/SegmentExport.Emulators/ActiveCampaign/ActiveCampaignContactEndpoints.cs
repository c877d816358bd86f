using SegmentExport.Emulators.Common;

namespace SegmentExport.Emulators.ActiveCampaign;

/// <summary>Contacts, contact/sync, contactLists and contactTags (provider-apis 2.3, 2.4, 2.5).</summary>
internal static class ActiveCampaignContactEndpoints
{
    public static void Map(RouteGroupBuilder api, ActiveCampaignEmulator ac)
    {
        api.MapGet("/contacts", (string? email, int? listid, int? limit, int? offset) =>
        {
            var take = Math.Clamp(limit ?? 20, 1, 100);
            List<AcContact> found;
            int total;
            if (!string.IsNullOrEmpty(email))
            {
                found = ac.ContactsByEmail.TryGetValue(email, out var c) && !c.Deleted ? [c] : [];
                total = found.Count;
            }
            else if (listid is { } id)
            {
                found = ac.Lists.TryGetValue(id, out var list) ? list.Page(Math.Max(0, offset ?? 0), take) : [];
                total = list?.Count ?? 0;
            }
            else
            {
                var all = ac.ContactsById.Values.Where(c => !c.Deleted).OrderBy(c => c.Id);
                found = all.Skip(Math.Max(0, offset ?? 0)).Take(take).ToList();
                total = ac.ContactsById.Count;
            }

            return SandboxJson.Json(new { contacts = found.Select(AcWire.Contact).ToList(), meta = AcWire.Meta(total) });
        });

        api.MapGet("/contacts/{id:int}", (int id) => ac.ContactsById.TryGetValue(id, out var contact) && !contact.Deleted
            ? SandboxJson.Json(new { contact = AcWire.Contact(contact) })
            : NoContact(id));

        api.MapDelete("/contacts/{id:int}", (int id) =>
        {
            if (!ac.ContactsById.TryGetValue(id, out var contact) || contact.Deleted)
            {
                return NoContact(id);
            }

            lock (contact.Sync)
            {
                contact.Deleted = true;
            }

            return SandboxJson.Json(new { });
        });

        api.MapPost("/contact/sync", async (HttpContext context, CancellationToken ct) =>
        {
            // contact/sync is camelCase, unlike bulk import (provider-apis 2.3).
            var body = await JsonBody.ReadAsync<SyncRequest>(context.Request, SandboxJson.CamelCase, null, ct);
            if (!body.Ok || body.Value!.Contact is not { } input || !EmailRules.IsDeliverable(input.Email))
            {
                return ActiveCampaignEndpoints.Unprocessable("Email address is invalid.", "email_invalid", "/data/attributes/email");
            }

            var contact = ac.ContactFor(input.Email!, out var created);
            lock (contact.Sync)
            {
                contact.Deleted = false;
                contact.FirstName = input.FirstName ?? contact.FirstName;
                contact.LastName = input.LastName ?? contact.LastName;
                contact.Phone = input.Phone ?? contact.Phone;
                foreach (var value in (input.FieldValues ?? []).Where(v => ac.Fields.ContainsKey(v.Field)))
                {
                    contact.FieldValues[value.Field] = value.Value ?? "";
                }

                contact.Updated = ac.Time.GetUtcNow();
            }

            List<object> fieldValues;
            lock (contact.Sync)
            {
                fieldValues = contact.FieldValues.Select(f => (object)new { contact = AcWire.Id(contact.Id), field = AcWire.Id(f.Key), value = f.Value }).ToList();
            }

            return SandboxJson.Json(new { contact = AcWire.Contact(contact), fieldValues }, created ? 201 : 200);
        });

        api.MapPost("/contactLists", async (HttpContext context, CancellationToken ct) =>
        {
            var body = await JsonBody.ReadAsync<ContactListRequest>(context.Request, SandboxJson.CamelCase, null, ct);
            if (!body.Ok || body.Value!.ContactList is not { } input)
            {
                return ActiveCampaignEndpoints.Unprocessable("contactList is required", "blank", "/data/attributes/contactList");
            }

            if (!ac.Lists.TryGetValue(input.List, out var list))
            {
                return SandboxJson.Json(new { message = $"No Result found for _List with id {input.List}" }, 404);
            }

            if (!ac.ContactsById.TryGetValue(input.Contact, out var contact) || contact.Deleted)
            {
                return NoContact(input.Contact);
            }

            lock (contact.Sync)
            {
                // An explicit contactLists status 1 does re-subscribe (the spec warns about exactly that, provider-apis 2.5).
                contact.Lists[list.Id] = input.Status;
                contact.Updated = ac.Time.GetUtcNow();
            }

            list.Track(contact);
            return SandboxJson.Json(new { contactList = new { contact = AcWire.Id(contact.Id), list = AcWire.Id(list.Id), status = AcWire.Id(input.Status), sourceid = AcWire.Id(input.Sourceid ?? 0), id = AcWire.Id(contact.Id * 1000 + list.Id) } }, 201);
        });

        api.MapPost("/contactTags", async (HttpContext context, CancellationToken ct) =>
        {
            var body = await JsonBody.ReadAsync<ContactTagRequest>(context.Request, SandboxJson.CamelCase, null, ct);
            if (!body.Ok || body.Value!.ContactTag is not { } input || !ac.ContactsById.TryGetValue(input.Contact, out var contact))
            {
                return ActiveCampaignEndpoints.Unprocessable("Contact is required", "blank", "/data/attributes/contact");
            }

            if (ac.TagsByName.Values.All(t => t.Id != input.Tag))
            {
                return SandboxJson.Json(new { message = $"No Result found for Tag with id {input.Tag}" }, 404);
            }

            lock (contact.Sync)
            {
                contact.TagIds.Add(input.Tag);
            }

            var id = ac.NextContactTagId();
            ac.ContactTags[id] = (contact.Id, input.Tag);
            return SandboxJson.Json(new { contactTag = new { contact = AcWire.Id(contact.Id), tag = AcWire.Id(input.Tag), id = AcWire.Id(id) } }, 201);
        });

        api.MapDelete("/contactTags/{id:int}", (int id) =>
        {
            if (!ac.ContactTags.TryRemove(id, out var link) || !ac.ContactsById.TryGetValue(link.Contact, out var contact))
            {
                return SandboxJson.Json(new { message = $"No Result found for ContactTag with id {id}" }, 404);
            }

            lock (contact.Sync)
            {
                contact.TagIds.Remove(link.Tag);
            }

            return SandboxJson.Json(new { });
        });
    }

    private static IResult NoContact(int id) => SandboxJson.Json(new { message = $"No result found for contact with id {id}" }, 404);
}
