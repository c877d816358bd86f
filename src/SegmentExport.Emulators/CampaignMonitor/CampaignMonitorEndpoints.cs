using System.Globalization;
using SegmentExport.Emulators.Common;

namespace SegmentExport.Emulators.CampaignMonitor;

internal sealed class CustomFieldCreate
{
    public string? FieldName { get; set; }

    public string? DataType { get; set; }

    public List<string>? Options { get; set; }

    public bool VisibleInPreferenceCenter { get; set; } = true;
}

/// <summary>systemdate, clients, lists, custom fields and active subscribers (provider-apis 4.1, 4.4, 4.5, 4.6).</summary>
internal static class CampaignMonitorEndpoints
{
    private static readonly HashSet<string> DataTypes = new(StringComparer.Ordinal) { "Text", "Number", "MultiSelectOne", "MultiSelectMany", "Date", "Country", "State" };

    public static void Map(RouteGroupBuilder api, CampaignMonitorEmulator cm)
    {
        api.MapGet("/systemdate.json", () => SandboxJson.Json(new { SystemDate = cm.Time.GetUtcNow().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) }));

        api.MapGet("/clients.json", () => SandboxJson.Json(new[] { new { ClientID = cm.Options.ClientId, Name = cm.Options.ClientName } }));

        api.MapGet("/clients/{clientId}/lists.json", (string clientId) =>
            string.Equals(clientId, cm.Options.ClientId, StringComparison.OrdinalIgnoreCase)
                ? SandboxJson.Json(cm.Lists.Values.Where(l => l.ClientId == cm.Options.ClientId).OrderBy(l => l.Title, StringComparer.Ordinal).Select(l => new { ListID = l.Id, Name = l.Title }).ToList())
                : CampaignMonitorEmulator.Error(400, 102, "Invalid ClientID"));

        api.MapGet("/lists/{listId}.json", (string listId) => cm.Lists.TryGetValue(listId, out var list)
            ? SandboxJson.Json(new { ListID = list.Id, Title = list.Title, UnsubscribePage = "", UnsubscribeSetting = list.UnsubscribeSetting, ConfirmedOptIn = false, ConfirmationSuccessPage = "" })
            : InvalidList());

        api.MapGet("/lists/{listId}/customfields.json", (string listId) => cm.Lists.TryGetValue(listId, out var list)
            ? SandboxJson.Json(list.Fields.Values.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => new { f.FieldName, f.Key, f.DataType, FieldOptions = f.Options, VisibleInPreferenceCenter = true }).ToList())
            : InvalidList());

        api.MapPost("/lists/{listId}/customfields.json", async (HttpContext context, string listId, CancellationToken ct) =>
        {
            if (!cm.Lists.TryGetValue(listId, out var list))
            {
                return InvalidList();
            }

            var body = await JsonBody.ReadAsync<CustomFieldCreate>(context.Request, SandboxJson.PascalCase, null, ct);
            if (!body.Ok || string.IsNullOrWhiteSpace(body.Value!.FieldName) || body.Value.DataType is null || !DataTypes.Contains(body.Value.DataType))
            {
                return CampaignMonitorEmulator.Error(400, 251, "Invalid field name or data type");
            }

            var key = string.Concat(body.Value.FieldName.Where(c => !char.IsWhiteSpace(c)));
            var field = new CmField(body.Value.FieldName, $"[{key}]", body.Value.DataType, body.Value.Options ?? []);
            return list.Fields.TryAdd(key, field)
                ? SandboxJson.Json(field.Key, 201)
                : CampaignMonitorEmulator.Error(400, 255, "Field Key Already Exists");
        });

        api.MapGet("/lists/{listId}/active.json", (string listId, int? page, int? pagesize, string? orderfield, string? orderdirection) =>
        {
            if (!cm.Lists.TryGetValue(listId, out var list))
            {
                return InvalidList();
            }

            var size = pagesize ?? 1000;
            if (size is < 10 or > 1000)
            {
                // pagesize must be 10-1000 (provider-apis 4.5, error 801).
                return CampaignMonitorEmulator.Error(400, 801, "Invalid page size specified. Page size must be between 10 and 1000.");
            }

            var number = Math.Max(1, page ?? 1);
            var total = list.Count("Active");
            var results = list.Page("Active", (number - 1) * size, size).Select(s => Subscriber(s, list)).ToList();
            return SandboxJson.Json(new
            {
                Results = results,
                ResultsOrderedBy = orderfield ?? "date",
                OrderDirection = orderdirection ?? "asc",
                PageNumber = number,
                PageSize = size,
                RecordsOnThisPage = results.Count,
                TotalNumberOfRecords = total,
                NumberOfPages = (total + size - 1) / size,
            });
        });
    }

    /// <summary>UNCONFIRMED (provider-apis 4.6): an unknown list id. 404 with the classic code 101.</summary>
    internal static IResult InvalidList() => CampaignMonitorEmulator.Error(404, 101, "Invalid ListID");

    internal static object Subscriber(CmSubscriber s, CmList list)
    {
        lock (s.Sync)
        {
            return new
            {
                EmailAddress = s.Email,
                s.Name,
                Date = s.Date.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                ListJoinedDate = s.Date.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                s.State,
                CustomFields = s.CustomFields.SelectMany(f => f.Value.Select(v => new { Key = list.Fields.TryGetValue(f.Key, out var def) ? def.Key : $"[{f.Key}]", Value = v })).ToList(),
                ReadsEmailWith = "",
                s.ConsentToTrack,
            };
        }
    }
}
