namespace SegmentExport.Destinations.CampaignMonitor;

// Campaign Monitor wire records, PascalCase throughout (provider-apis 4.3, 4.4, 4.6, 4.8).

internal sealed record CmImportRequest(IReadOnlyList<CmSubscriber> Subscribers, bool Resubscribe, bool QueueSubscriptionBasedAutoResponders, bool RestartSubscriptionBasedAutoresponders);

internal sealed record CmSubscriber(string EmailAddress, string? Name, IReadOnlyList<CmFieldValue>? CustomFields, string ConsentToTrack);

internal sealed record CmFieldValue(string Key, string Value);

internal sealed record CmImportResult(int TotalUniqueEmailsSubmitted, int TotalExistingSubscribers, int TotalNewSubscribers, List<string>? DuplicateEmailsInSubmission, List<CmFailure>? FailureDetails);

internal sealed record CmFailure(string EmailAddress, int Code, string Message);

/// <summary>The flat error body, optionally with <c>ResultData</c> (Code 210 carries the import result there).</summary>
internal sealed record CmError(int Code, string? Message, CmImportResult? ResultData);

internal sealed record CmClient(string ClientID, string Name);

internal sealed record CmListSummary(string ListID, string Name);

internal sealed record CmListDetails(string ListID, string Title);

internal sealed record CmCustomField(string FieldName, string Key, string DataType);

internal sealed record CmEmail(string EmailAddress);
