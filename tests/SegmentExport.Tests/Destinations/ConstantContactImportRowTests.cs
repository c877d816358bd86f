using System.Text.Json;
using SegmentExport.Destinations;
using SegmentExport.Destinations.ConstantContact;

namespace SegmentExport.Tests.Destinations;

/// <summary>An import row is written straight from the contact: the same bytes as the column dictionary it replaced.</summary>
public sealed class ConstantContactImportRowTests
{
    private static readonly string[] Standard = [StandardFields.FirstName, StandardFields.LastName, StandardFields.Phone];

    public static TheoryData<string[], string?[]> Contacts => new()
    {
        { [StandardFields.FirstName, StandardFields.LastName], ["Zoë", "O'Brien \"Jr\""] },
        { [StandardFields.FirstName, "company", "cf:region"], ["Ana", "Acme <b>", "Nord"] },
        { ["company", StandardFields.LastName, "notes"], [null, "Lee", "line\nbreak\t😀"] },
        { ["company", "cf:company", StandardFields.FirstName], ["first", "second", "Kim"] },
        { ["cf:company", "company"], ["prefixed", "plain"] },
        { [], [] },
    };

    [Theory]
    [MemberData(nameof(Contacts))]
    public void A_row_is_the_column_dictionary_it_replaced_byte_for_byte(string[] keys, string?[] values)
    {
        var contact = new ContactRecord("  Person@Example.com ", keys.Zip(values).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal));

        // The former row: email first, each field with a value under its column, a later value replacing an earlier one.
        var dictionary = new Dictionary<string, string>(StringComparer.Ordinal) { ["email"] = contact.Email.Trim() };
        foreach (var (key, value) in contact.Fields.Where(f => f.Value is not null))
        {
            dictionary[Standard.Contains(key) ? key : key.StartsWith("cf:", StringComparison.Ordinal) ? key : "cf:" + key] = value!;
        }

        var options = WireJson.SnakeCase;
        Assert.Equal(JsonSerializer.Serialize(dictionary, options), JsonSerializer.Serialize(new CcImportRow(contact), options));
    }
}
