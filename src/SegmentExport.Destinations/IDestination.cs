namespace SegmentExport.Destinations;

/// <summary>Placeholder: the destination contract arrives with issue 4.</summary>
public interface IDestination
{
    string Key { get; }
}
