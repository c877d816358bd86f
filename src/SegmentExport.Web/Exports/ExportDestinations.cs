using SegmentExport.Destinations;
using SegmentExport.Web.Connections;

namespace SegmentExport.Web.Exports;

/// <summary>What the export form offers for one connection: its lists and the fields of the chosen list.</summary>
/// <param name="Problem">A sentence when the platform could not be asked (the form still works with a typed list id).</param>
public sealed record DestinationChoice(
    ResolvedConnection? Connection,
    IReadOnlyList<DestinationList> Lists,
    IReadOnlyList<DestinationField> Fields,
    bool FieldsKnown,
    string? Problem)
{
    public static readonly DestinationChoice None = new(null, [], [], false, null);

    public DestinationDescription? Description => Connection?.Destination.Description;
}

/// <summary>Asks a connection's platform for lists and fields, turning every failure into a sentence.</summary>
public sealed class ExportDestinations(ConnectionAccounts connections, ILogger<ExportDestinations> logger)
{
    /// <summary>Enough for any real account; a longer list can still be reached by typing the id.</summary>
    private const int MaxListPages = 10;

    public async Task<DestinationChoice> LoadAsync(long connectionId, string? listId, CancellationToken cancellationToken)
    {
        ResolvedConnection connection;
        try
        {
            connection = await connections.ResolveAsync(connectionId, cancellationToken);
        }
        catch (ConnectionUnavailableException ex)
        {
            return DestinationChoice.None with { Problem = ex.Message };
        }

        var lists = new List<DestinationList>();
        var fields = StandardFieldsOf(connection.Destination.Description).ToList();
        var fieldsKnown = false;
        var platform = connection.Destination.Description.DisplayName;
        try
        {
            string? page = null;
            for (var i = 0; i < MaxListPages; i++)
            {
                var answer = await connection.Destination.GetListsAsync(connection.Account, page, cancellationToken);
                lists.AddRange(answer.Lists);
                page = answer.NextPage;
                if (page is null)
                {
                    break;
                }
            }

            if (!string.IsNullOrWhiteSpace(listId))
            {
                fields.AddRange(await connection.Destination.GetFieldsAsync(connection.Account, listId.Trim(), cancellationToken));
                fieldsKnown = true;
            }
        }
        catch (Exception ex) when (IsPlatformFailure(ex, cancellationToken))
        {
            logger.LogWarning(ex, "Could not read lists or fields of connection {ConnectionId}", connectionId);
            return new DestinationChoice(connection, lists, fields, false,
                $"{platform} did not answer with its lists and fields ({ex.Message}). Type the list id, or try again in a moment.");
        }

        return new DestinationChoice(connection, lists, fields, fieldsKnown, null);
    }

    /// <summary>The list with this id, or a sentence saying why it cannot be used.</summary>
    public async Task<(DestinationList? List, string? Problem)> FindListAsync(ResolvedConnection connection, string listId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var platform = connection.Destination.Description.DisplayName;
        try
        {
            var list = await connection.Destination.GetListAsync(connection.Account, listId, cancellationToken);
            return list is null
                ? (null, $"{platform} has no list with the id “{listId}” in the account of “{connection.Name}”. Check the id, or pick the list.")
                : (list, null);
        }
        catch (Exception ex) when (IsPlatformFailure(ex, cancellationToken))
        {
            logger.LogWarning(ex, "Could not check list of connection {ConnectionId}", connection.Id);
            return (null, $"{platform} could not be asked about the list ({ex.Message}). Try saving again in a moment.");
        }
    }

    public static IEnumerable<DestinationField> StandardFieldsOf(DestinationDescription description)
    {
        ArgumentNullException.ThrowIfNull(description);
        return description.OptionalFields.Select(key => new DestinationField(key, StandardName(key), key == StandardFields.Phone ? FieldType.Phone : FieldType.Text, "standard"));
    }

    public static string StandardName(string key) => key switch
    {
        StandardFields.FirstName => "First name",
        StandardFields.LastName => "Last name",
        StandardFields.Phone => "Phone",
        StandardFields.Name => "Name",
        _ => key,
    };

    private static bool IsPlatformFailure(Exception ex, CancellationToken cancellationToken) =>
        ex is DestinationException or HttpRequestException or ConnectionUnavailableException
        || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested);
}
