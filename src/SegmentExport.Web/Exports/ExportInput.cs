using System.ComponentModel.DataAnnotations;
using System.Text.Json;

namespace SegmentExport.Web.Exports;

/// <summary>One "Add attribute" row of the export form: a profile field to a platform field.</summary>
public sealed class FieldRow
{
    public string? Source { get; set; }
    public string? Target { get; set; }

    public bool IsBlank => string.IsNullOrWhiteSpace(Source) && string.IsNullOrWhiteSpace(Target);
}

/// <summary>Everything the export form posts; nothing else binds.</summary>
public sealed class ExportInput
{
    [Required(ErrorMessage = "Give the export a name.")]
    [StringLength(200, ErrorMessage = "Keep the name within 200 characters.")]
    public string Name { get; set; } = "";

    public long ConnectionId { get; set; }

    /// <summary>The list picked from the platform's lists.</summary>
    public string? ListId { get; set; }

    /// <summary>A list id typed by hand; wins over the picker when filled.</summary>
    [StringLength(200, ErrorMessage = "A list id is at most 200 characters.")]
    public string? TypedListId { get; set; }

    public List<FieldRow> Fields { get; set; } = [];

    public List<long> SegmentIds { get; set; } = [];

    /// <summary>Fixed tags, separated by commas.</summary>
    [StringLength(1000, ErrorMessage = "Keep the tags within 1,000 characters.")]
    public string? Tags { get; set; }

    public bool TagWithSegmentNames { get; set; }
    public LeaverAction Leavers { get; set; }
    public ExportSchedule Schedule { get; set; }

    [StringLength(120, ErrorMessage = "Keep the cron expression within 120 characters.")]
    public string? CronExpression { get; set; }

    [StringLength(100, ErrorMessage = "A time zone id is at most 100 characters.")]
    public string? TimeZone { get; set; }

    public bool Enabled { get; set; } = true;

    /// <summary>The list id to use: the typed one if any, else the picked one.</summary>
    public string ChosenListId => (string.IsNullOrWhiteSpace(TypedListId) ? ListId : TypedListId)?.Trim() ?? "";

    public IReadOnlyList<string> TagList() =>
        (Tags ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToList();

    public static ExportInput From(Export export, IReadOnlyList<long> segmentIds)
    {
        ArgumentNullException.ThrowIfNull(export);
        return new ExportInput
        {
            Name = export.Name,
            ConnectionId = export.ConnectionId,
            ListId = export.ListId,
            Fields = ExportMapping.FromJson(export.Mapping).Fields.Select(f => new FieldRow { Source = f.Source, Target = f.Target }).ToList(),
            SegmentIds = segmentIds.ToList(),
            Tags = string.Join(", ", JsonSerializer.Deserialize<List<string>>(export.Tags) ?? []),
            TagWithSegmentNames = export.TagWithSegmentNames,
            Leavers = export.Leavers,
            Schedule = export.Schedule,
            CronExpression = export.CronExpression,
            TimeZone = export.TimeZone,
            Enabled = export.Enabled,
        };
    }
}
