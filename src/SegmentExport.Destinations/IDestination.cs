namespace SegmentExport.Destinations;

/// <summary>
/// One marketing platform the export engine writes to. Implementations are stateless apart from the per-account
/// limiters they share through DI, so one instance serves every connection; the account travels with each call.
/// </summary>
public interface IDestination
{
    DestinationDescription Description { get; }

    /// <summary>Proves the credentials work and returns the account's display name.</summary>
    Task<string> CheckCredentialsAsync(DestinationAccount account, CancellationToken cancellationToken);

    /// <summary>One page of the account's lists (audiences); pass the previous page's <see cref="DestinationListPage.NextPage"/>.</summary>
    Task<DestinationListPage> GetListsAsync(DestinationAccount account, string? page, CancellationToken cancellationToken);

    /// <summary>The list with this id, or null when the platform does not know it.</summary>
    Task<DestinationList?> GetListAsync(DestinationAccount account, string listId, CancellationToken cancellationToken);

    /// <summary>The list's custom fields (merge fields, custom fields) with their types, for mapping.</summary>
    Task<IReadOnlyList<DestinationField>> GetFieldsAsync(DestinationAccount account, string listId, CancellationToken cancellationToken);

    /// <summary>
    /// Creates or updates the contacts in the list, cutting them into platform batches by count and bytes. Every
    /// contact gets exactly one outcome. Never re-subscribes anyone the platform reports as unsubscribed. The caller
    /// keeps no other reference to the contacts and sends deferred ones again in a new call, so a client may let a
    /// batch's contacts go once its request is built (an asynchronous import then holds only its emails).
    /// </summary>
    Task<UpsertResult> UpsertAsync(DestinationAccount account, string listId, IReadOnlyList<ContactRecord> contacts, CancellationToken cancellationToken);

    /// <summary>Unsubscribes the leavers or removes them from the list; never deletes anyone permanently.</summary>
    Task<UpsertResult> RemoveAsync(DestinationAccount account, string listId, IReadOnlyList<string> emails, RemoveMode mode, CancellationToken cancellationToken);
}
