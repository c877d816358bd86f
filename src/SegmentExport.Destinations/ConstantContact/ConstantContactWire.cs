namespace SegmentExport.Destinations.ConstantContact;

// Constant Contact V3 wire records, snake_case (provider-apis 3.3 to 3.8).

/// <summary>Rows are dictionaries: standard columns plus <c>cf:&lt;name&gt;</c> custom columns (provider-apis 3.3).</summary>
internal sealed record CcImportRequest(IReadOnlyList<IReadOnlyDictionary<string, string>> ImportData, IReadOnlyList<string> ListIds);

internal sealed record CcRemoveRequest(CcSource Source, IReadOnlyList<string> ListIds);

internal sealed record CcSource(IReadOnlyList<string> ContactIds);

internal sealed record CcActivity(string ActivityId, string State, List<string>? ActivityErrors, Dictionary<string, int>? Status);

internal sealed record CcAccount(string? OrganizationName, string? ContactEmail);

internal sealed record CcLists(List<CcList> Lists);

internal sealed record CcList(string ListId, string Name, int? MembershipCount);

internal sealed record CcCustomFields(List<CcCustomField> CustomFields);

internal sealed record CcCustomField(string CustomFieldId, string Name, string Label, string Type);

internal sealed record CcContacts(List<CcContact> Contacts, [property: System.Text.Json.Serialization.JsonPropertyName("_links")] CcLinks? Links);

internal sealed record CcLinks(CcHref? Next);

internal sealed record CcHref(string? Href);

internal sealed record CcContact(string ContactId, CcEmailAddress EmailAddress, List<string>? ListMemberships);

internal sealed record CcEmailAddress(string Address, string? PermissionToSend);

internal sealed record CcError(string? ErrorKey, string? ErrorMessage);
