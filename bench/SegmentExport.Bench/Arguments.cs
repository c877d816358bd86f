using System.Globalization;
using System.Text.Json;

namespace SegmentExport.Bench;

/// <summary><c>--name value</c> pairs and bare flags; <c>--settings FILE</c> names a JSON object of configuration keys.</summary>
public sealed class Arguments
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.OrdinalIgnoreCase);

    public Arguments(IEnumerable<string> args)
    {
        string? name = null;
        foreach (var arg in args)
        {
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                name = arg[2..];
                if (!_values.ContainsKey(name))
                {
                    _values[name] = [];
                }
            }
            else if (name is not null)
            {
                _values[name].Add(arg);
            }
            else
            {
                throw new ArgumentException($"'{arg}' is not an option; options start with --.");
            }
        }
    }

    public bool Has(string name) => _values.ContainsKey(name);

    public string? Text(string name) => _values.TryGetValue(name, out var values) && values.Count > 0 ? values[^1] : null;

    public string Required(string name) => Text(name) ?? throw new ArgumentException($"--{name} is required.");

    /// <summary>All values of a repeated or space-separated option, commas splitting too.</summary>
    public IReadOnlyList<string> List(string name) => _values.TryGetValue(name, out var values)
        ? values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList()
        : [];

    public long Number(string name, long fallback) => Text(name) is { } text
        ? long.TryParse(text.Replace("_", "", StringComparison.Ordinal), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new ArgumentException($"--{name} needs a positive whole number, not '{text}'.")
        : fallback;

    public double Real(string name, double fallback) => Text(name) is { } text
        ? double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new ArgumentException($"--{name} needs a positive number, not '{text}'.")
        : fallback;

    public IReadOnlyDictionary<string, string?> Settings() => Text("settings") is { } file
        ? JsonSerializer.Deserialize<Dictionary<string, string?>>(File.ReadAllText(file)) ?? []
        : new Dictionary<string, string?>();
}
