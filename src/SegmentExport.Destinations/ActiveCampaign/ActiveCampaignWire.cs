using System.Text.Json;
using System.Text.Json.Serialization;

namespace SegmentExport.Destinations.ActiveCampaign;

// Bulk import is snake_case, apart from batchId and failureReasons (provider-apis 2.3); the regular v3 resources are camelCase (2.4, 2.6). Both read with
// case-insensitive names, so one options set per direction is enough.

internal sealed record AcImportRequest(IReadOnlyList<AcImportContact> Contacts);

internal sealed record AcImportContact(
    string Email,
    string? FirstName,
    string? LastName,
    string? Phone,
    IReadOnlyList<string>? Tags,
    IReadOnlyList<AcFieldValue>? Fields,
    IReadOnlyList<AcListRef>? Subscribe,
    IReadOnlyList<AcListRef>? Unsubscribe);

internal sealed record AcFieldValue(int Id, string Value);

internal sealed record AcListRef(string Listid);

/// <summary>200: <c>{"Success":1,"queued_contacts","batchId"}</c>; 400: <c>{"success":0,"message","failureReasons"}</c>.</summary>
internal sealed record AcImportAnswer(
    [property: JsonPropertyName("batchId")] string? BatchId,
    string? Message,
    [property: JsonPropertyName("failureReasons")] JsonElement? FailureReasons);

/// <summary><c>status</c> is a string, or boolean false when polled too soon (provider-apis 2.3).</summary>
internal sealed record AcImportInfo(JsonElement Status, List<string>? Success, List<string>? Failure);

internal sealed record AcUserMe(AcUser User);

internal sealed record AcUser(string? Username, string? Email);

internal sealed record AcLists(List<AcList> Lists, AcMeta? Meta);

internal sealed record AcListOne(AcList List);

internal sealed record AcList(string Id, string Name, int? SubscriberCount);

internal sealed record AcMeta(int Total);

internal sealed record AcFields(List<AcField> Fields, AcMeta? Meta);

internal sealed record AcField(string Id, string Title, string Type);

internal sealed record AcExclusions(List<AcExclusion> Exclusions, AcMeta? Meta);

internal sealed record AcExclusion(string Email);
