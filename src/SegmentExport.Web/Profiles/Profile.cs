namespace SegmentExport.Web.Profiles;

/// <summary>One customer. Core fields are columns; everything else lives in <see cref="Attributes"/>.</summary>
public sealed class Profile
{
    public long Id { get; set; }

    /// <summary>The stable id from the system the profile came from; unique when present.</summary>
    public string? ExternalId { get; set; }
    public string? Email { get; set; }

    /// <summary>lower(btrim(email)), computed by PostgreSQL; what searches, merges and exports compare.</summary>
    public string? EmailNormalized { get; private set; }
    public string? FirstName { get; set; }
    public string? LastName { get; set; }
    public string? Phone { get; set; }

    /// <summary>Typed values by attribute name: JSON strings, numbers, booleans, ISO dates (strings) and arrays.</summary>
    public string Attributes { get; set; } = "{}";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>The kinds of value an attribute holds; rules offer operators by kind.</summary>
public enum AttributeType
{
    Text,
    Number,
    Date,
    Boolean,
    List,
}

/// <summary>A known attribute and its type, registered when an import or the demo generator first writes it.</summary>
public sealed class AttributeDefinition
{
    public string Name { get; set; } = "";
    public AttributeType Type { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
