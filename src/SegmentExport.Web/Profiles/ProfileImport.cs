namespace SegmentExport.Web.Profiles;

public enum ImportStatus
{
    /// <summary>File received; waiting for the column mapping.</summary>
    Uploaded,
    Queued,
    Running,
    Succeeded,
    Failed,
}

/// <summary>One CSV import: the file, its mapping, and the report.</summary>
public sealed class ProfileImport
{
    public long Id { get; set; }
    public string FileName { get; set; } = "";
    public long SizeBytes { get; set; }

    /// <summary>Where the upload waits on the node that received it; deleted when the import ends.</summary>
    public string StoredPath { get; set; } = "";
    public ImportStatus Status { get; set; }
    public string Delimiter { get; set; } = ",";
    public bool HasHeader { get; set; } = true;

    /// <summary>JSON: one entry per column, what it maps to (see <see cref="ColumnMapping"/>).</summary>
    public string? Mapping { get; set; }
    public long RowsRead { get; set; }
    public long Inserted { get; set; }
    public long Updated { get; set; }

    /// <summary>Rows that matched a profile already holding exactly these values.</summary>
    public long Unchanged { get; set; }
    public long Rejected { get; set; }

    /// <summary>Why a failed import failed, as a sentence.</summary>
    public string? Error { get; set; }
    public long? CreatedById { get; set; }
    public string CreatedByName { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
}

/// <summary>A row an import (or the API) refused, and why.</summary>
public sealed class ImportRejection
{
    public long Id { get; set; }
    public long ImportId { get; set; }
    public long RowNumber { get; set; }
    public string Reason { get; set; } = "";
}
