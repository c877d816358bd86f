namespace SegmentExport.Destinations.Mailchimp;

// Mailchimp wire records, snake_case on the wire (WireJson.SnakeCase); provider-apis 1.3A, 1.4, 1.6.

internal sealed record McBatchRequest(IReadOnlyList<McMember> Members, bool UpdateExisting, bool SyncTags);

/// <param name="Status">Only for unsubscribing; upserts send <paramref name="StatusIfNew"/> so an existing member keeps its status.</param>
internal sealed record McMember(string EmailAddress, string? Status, string? StatusIfNew, IReadOnlyDictionary<string, string>? MergeFields);

internal sealed record McBatchResponse(
    List<McMemberResult>? NewMembers,
    List<McMemberResult>? UpdatedMembers,
    List<McBatchError>? Errors,
    int TotalCreated,
    int TotalUpdated,
    int ErrorCount);

internal sealed record McMemberResult(string EmailAddress, string? Status);

internal sealed record McBatchError(string EmailAddress, string? Error, string? ErrorCode, string? Field, string? FieldMessage);

internal sealed record McRoot(string? AccountName, string? AccountId);

internal sealed record McLists(List<McList> Lists, int TotalItems);

internal sealed record McList(string Id, string Name, McListStats? Stats);

internal sealed record McListStats(int MemberCount);

internal sealed record McMergeFields(List<McMergeField> MergeFields, int TotalItems);

internal sealed record McMergeField(string Tag, string Name, string Type, bool Required);

internal sealed record McSegments(List<McSegment> Segments, int TotalItems);

internal sealed record McSegment(int Id, string Name);

internal sealed record McSegmentCreate(string Name, IReadOnlyList<string> StaticSegment);

internal sealed record McSegmentMembers(IReadOnlyList<string> MembersToAdd);

internal sealed record McProblem(string? Title, string? Detail, int Status);

internal sealed record McMetadata(string? Dc, string? ApiEndpoint, string? Accountname, string? Error);
