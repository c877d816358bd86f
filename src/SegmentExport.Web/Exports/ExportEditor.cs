using System.Security.Claims;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SegmentExport.Destinations;
using SegmentExport.Web.Audit;
using SegmentExport.Web.Connections;
using SegmentExport.Web.Data;
using SegmentExport.Web.Profiles;
using SegmentExport.Web.Segments;

namespace SegmentExport.Web.Exports;

/// <param name="Errors">Field key (<c>Input.Name</c>, <c>Input.Fields[2]</c>...) to a sentence saying what to fix.</param>
public sealed record ExportSaveResult(long? ExportId, IReadOnlyDictionary<string, string> Errors, DestinationChoice Choice);

/// <summary>Checks the export form against the platform and the data, then saves it. Saving never runs the export.</summary>
public sealed class ExportEditor(
    AppDbContext db, ConnectionAccounts connections, ExportDestinations destinations, ExportSchedules schedules, AuditLog audit, TimeProvider clock)
{
    public async Task<bool> MayUseAsync(ClaimsPrincipal user, long connectionId, CancellationToken cancellationToken) =>
        (await connections.UsableByAsync(user, cancellationToken)).Any(c => c.Id == connectionId);

    /// <summary>Validates everything (so every error shows at once) and saves when <paramref name="formValid"/> and no check failed.</summary>
    public async Task<ExportSaveResult> SaveAsync(long? id, ExportInput input, bool formValid, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        var name = input.Name?.Trim() ?? "";
        if (name.Length > 0 && await db.Exports.AnyAsync(e => EF.Functions.ILike(e.Name, RuleCompiler.EscapeLike(name)) && e.Id != (id ?? 0), cancellationToken))
        {
            errors["Input.Name"] = $"An export called “{name}” already exists. Choose another name.";
        }

        var choice = DestinationChoice.None;
        DestinationList? list = null;
        if (input.ConnectionId <= 0)
        {
            errors["Input.ConnectionId"] = "Choose the connection to send to.";
        }
        else if (!await MayUseAsync(user, input.ConnectionId, cancellationToken))
        {
            errors["Input.ConnectionId"] = "You may not use this connection. Choose one shared with you, or ask an administrator to share it.";
        }
        else
        {
            choice = await destinations.LoadAsync(input.ConnectionId, input.ChosenListId, cancellationToken);
            if (choice.Connection is null)
            {
                errors["Input.ConnectionId"] = choice.Problem ?? "This connection cannot be used now.";
            }
            else if (input.ChosenListId.Length == 0)
            {
                errors["Input.ListId"] = "Pick the list to send to, or type its id.";
            }
            else
            {
                string? problem;
                (list, problem) = await destinations.FindListAsync(choice.Connection, input.ChosenListId, cancellationToken);
                if (problem is not null)
                {
                    errors["Input.ListId"] = problem;
                }
            }
        }

        await CheckFieldsAsync(input, choice, errors, cancellationToken);
        await CheckSegmentsAsync(input, errors, cancellationToken);
        CheckPlatformOptions(input, choice.Description, errors);
        CheckSchedule(input, errors);
        if (!formValid || errors.Count > 0 || list is null)
        {
            return new ExportSaveResult(null, errors, choice);
        }

        var savedId = await WriteAsync(id, input, name, list, user, cancellationToken);
        return new ExportSaveResult(savedId, errors, choice);
    }

    private async Task<long> WriteAsync(long? id, ExportInput input, string name, DestinationList list, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var export = id is long existing ? await db.Exports.SingleAsync(e => e.Id == existing, cancellationToken) : new Export { CreatedAt = now };
        export.Name = name;
        export.ConnectionId = input.ConnectionId;
        export.ListId = list.Id;
        export.ListName = list.Name;
        export.Mapping = new ExportMapping(input.Fields.Where(f => !f.IsBlank).Select(f => new FieldMap(f.Source!.Trim(), f.Target!.Trim())).ToList()).ToJson();
        export.Tags = JsonSerializer.Serialize(input.TagList());
        export.TagWithSegmentNames = input.TagWithSegmentNames;
        export.Leavers = input.Leavers;
        export.Schedule = input.Schedule;
        export.CronExpression = input.Schedule == ExportSchedule.Cron ? input.CronExpression!.Trim() : null;
        export.TimeZone = input.Schedule == ExportSchedule.Cron ? TimeZoneOf(input) : null;
        export.Enabled = input.Enabled;
        export.UpdatedAt = now;

        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            if (id is null)
            {
                db.Exports.Add(export);
                await db.SaveChangesAsync(cancellationToken);
            }

            await db.ExportSegments.Where(s => s.ExportId == export.Id).ExecuteDeleteAsync(cancellationToken);
            db.ExportSegments.AddRange(input.SegmentIds.Distinct().Select(s => new ExportSegment { ExportId = export.Id, SegmentId = s }));
            audit.Record(user, id is null ? "export.created" : "export.updated", "Export", export.Id,
                $"Export #{export.Id} “{export.Name}” {(id is null ? "created" : "saved")}: list “{list.Name}”, {input.SegmentIds.Distinct().Count()} segments, {export.Schedule}.");
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        await schedules.SyncAsync(export, cancellationToken);
        return export.Id;
    }

    private async Task CheckFieldsAsync(ExportInput input, DestinationChoice choice, Dictionary<string, string> errors, CancellationToken cancellationToken)
    {
        var attributes = await db.AttributeDefinitions.AsNoTracking().ToDictionaryAsync(a => ExportMapping.AttributePrefix + a.Name, a => a.Type, StringComparer.Ordinal, cancellationToken);
        var targets = choice.Fields.ToDictionary(f => f.Key, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < input.Fields.Count; i++)
        {
            var row = input.Fields[i];
            if (row.IsBlank)
            {
                continue;
            }

            var key = $"Input.Fields[{i}]";
            var source = row.Source?.Trim() ?? "";
            var target = row.Target?.Trim() ?? "";
            if (!ExportMapping.CoreSources.Contains(source) && !attributes.ContainsKey(source))
            {
                errors[key] = source.Length == 0 ? "Choose the profile field to send." : $"“{source}” is not a profile field; choose one from the list.";
            }
            else if (target.Length == 0)
            {
                errors[key] = "Choose the platform field it goes to.";
            }
            else if (choice.FieldsKnown && !targets.ContainsKey(target))
            {
                errors[key] = $"The list has no field “{target}”; choose one of its fields.";
            }
            else if (!seen.Add(target))
            {
                errors[key] = $"The platform field “{target}” is already mapped above; map each platform field once.";
            }
            else if (targets.TryGetValue(target, out var field) && TypeProblem(source, attributes, field) is string problem)
            {
                errors[key] = problem;
            }
        }
    }

    private static string? TypeProblem(string source, Dictionary<string, AttributeType> attributes, DestinationField field)
    {
        var type = attributes.TryGetValue(source, out var t) ? t : AttributeType.Text;
        return field.Type switch
        {
            FieldType.Number when type != AttributeType.Number => $"“{field.Name}” takes numbers; choose a number attribute.",
            FieldType.Date when type != AttributeType.Date => $"“{field.Name}” takes dates; choose a date attribute.",
            _ => null,
        };
    }

    private async Task CheckSegmentsAsync(ExportInput input, Dictionary<string, string> errors, CancellationToken cancellationToken)
    {
        var ids = input.SegmentIds.Distinct().ToList();
        if (ids.Count == 0)
        {
            errors["Input.SegmentIds"] = "Choose at least one segment to export.";
        }
        else if (await db.Segments.CountAsync(s => ids.Contains(s.Id), cancellationToken) != ids.Count)
        {
            errors["Input.SegmentIds"] = "A chosen segment no longer exists; choose again.";
        }
    }

    private static void CheckPlatformOptions(ExportInput input, DestinationDescription? description, Dictionary<string, string> errors)
    {
        if (description is null)
        {
            return;
        }

        if (!description.SupportsTags && (input.TagList().Count > 0 || input.TagWithSegmentNames))
        {
            errors["Input.Tags"] = $"{description.DisplayName} exports do not carry tags; leave the tags empty.";
        }
        else if (input.TagList().FirstOrDefault(t => t.Length > 100) is string longTag)
        {
            errors["Input.Tags"] = $"The tag “{longTag[..20]}…” is longer than 100 characters; shorten it.";
        }

        var mode = input.Leavers switch
        {
            LeaverAction.Unsubscribe => RemoveMode.Unsubscribe,
            LeaverAction.RemoveFromList => (RemoveMode?)RemoveMode.RemoveFromList,
            _ => null,
        };
        if (mode is RemoveMode m && !description.RemoveModes.Contains(m))
        {
            errors["Input.Leavers"] = $"{description.DisplayName} cannot {(m == RemoveMode.Unsubscribe ? "unsubscribe" : "remove")} leavers this way; choose another option.";
        }
    }

    private static void CheckSchedule(ExportInput input, Dictionary<string, string> errors)
    {
        if (input.Schedule != ExportSchedule.Cron)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(input.CronExpression))
        {
            errors["Input.CronExpression"] = "Enter a cron expression, for example “0 0 6 ? * MON-FRI” (06:00 on weekdays).";
        }
        else
        {
            try
            {
                _ = new Quartz.CronExpression(input.CronExpression.Trim());
            }
            catch (FormatException ex)
            {
                errors["Input.CronExpression"] = $"“{input.CronExpression.Trim()}” is not a Quartz cron expression ({ex.Message}). Seconds come first: “0 0 6 * * ?” is 06:00 daily.";
            }
        }

        try
        {
            _ = TimeZoneInfo.FindSystemTimeZoneById(TimeZoneOf(input));
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
        {
            errors["Input.TimeZone"] = $"“{input.TimeZone}” is not a time zone this server knows; use an id such as “Europe/Berlin” or “UTC”.";
        }
    }

    private static string TimeZoneOf(ExportInput input) => string.IsNullOrWhiteSpace(input.TimeZone) ? "UTC" : input.TimeZone.Trim();
}
