namespace SegmentExport.Emulators.ConstantContact;

/// <summary>
/// Builds the account from <see cref="ConstantContactOptions.Lists"/>. Custom fields are account-wide; seeded contact
/// fields use import column names (<c>first_name</c>, <c>cf:loyalty_tier</c>); the status is the permission to send.
/// </summary>
internal static class ConstantContactSeed
{
    public static void Apply(ConstantContactEmulator cc)
    {
        var now = cc.Time.GetUtcNow();
        var order = 0;
        foreach (var seed in cc.Options.Lists)
        {
            // Distinct creation times keep the configured order in listings.
            var list = new CcList(seed.Id, seed.Name, now.AddMilliseconds(order++), cc.NextListSlot());
            cc.Lists[list.Id] = list;
            foreach (var field in seed.Fields)
            {
                cc.CustomFields.TryAdd(field.Key, new CcCustomField(Guid.NewGuid().ToString(), field.Key, field.Name, field.Type == "text" ? "string" : field.Type, now));
            }

            foreach (var seeded in seed.Contacts)
            {
                var contact = cc.ContactFor(seeded.Email, out _);
                lock (contact.Sync)
                {
                    contact.PermissionToSend = seeded.Status.Length == 0 ? "implicit" : seeded.Status;
                    foreach (var (key, value) in seeded.Fields)
                    {
                        if (key.StartsWith("cf:", StringComparison.Ordinal))
                        {
                            contact.CustomFields[key[3..]] = value;
                        }
                        else
                        {
                            contact.Properties[key] = value;
                        }
                    }

                    // Unsubscribed contacts are on no list; others join the seeded list.
                    if (contact.PermissionToSend != "unsubscribed")
                    {
                        contact.ListIds.Add(list.Id);
                    }
                }

                list.Track(contact);
            }
        }
    }
}
