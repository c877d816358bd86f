using SegmentExport.Emulators.Common;

namespace SegmentExport.Emulators.ActiveCampaign;

/// <summary>Builds the account from <see cref="ActiveCampaignOptions.Lists"/>: fields are account-wide, keyed by numeric id.</summary>
internal static class ActiveCampaignSeed
{
    public static void Apply(ActiveCampaignEmulator ac)
    {
        var now = ac.Time.GetUtcNow();
        foreach (var seed in ac.Options.Lists)
        {
            var list = new AcList(int.Parse(seed.Id, System.Globalization.CultureInfo.InvariantCulture), seed.Name, now, ac.NextListSlot());
            ac.Lists[list.Id] = list;
            foreach (var field in seed.Fields)
            {
                var id = int.Parse(field.Key, System.Globalization.CultureInfo.InvariantCulture);
                ac.Fields.TryAdd(id, new AcField(id, field.Name, field.Type, field.Name.ToUpperInvariant().Replace(' ', '_')));
            }

            foreach (var seeded in seed.Contacts)
            {
                var contact = ac.ContactFor(seeded.Email, out _);
                lock (contact.Sync)
                {
                    contact.Lists[list.Id] = AcStatus.Parse(seeded.Status);
                    foreach (var (key, value) in seeded.Fields)
                    {
                        contact.FieldValues[int.Parse(key, System.Globalization.CultureInfo.InvariantCulture)] = value;
                    }

                    foreach (var tag in seeded.Tags)
                    {
                        contact.TagIds.Add(ac.TagNamed(tag).Id);
                    }
                }

                list.Track(contact);
            }
        }
    }
}
