namespace SegmentExport.Emulators.Common;

/// <summary>What every platform's options section has: fault injection and the seeded lists.</summary>
public abstract class PlatformOptions
{
    public FaultOptions Faults { get; set; } = new();

    /// <summary>Seeded lists with their fields and pre-existing contacts. Empty means the default sandbox seed.</summary>
    public List<SeedList> Lists { get; set; } = [];

    /// <summary>Fills in the default sandbox seed for anything configuration left empty.</summary>
    public abstract void ApplyDefaults();

    /// <summary>Problems with the options, each naming the property and the bad value.</summary>
    public virtual IEnumerable<string> Validate()
    {
        foreach (var problem in Faults.Validate())
        {
            yield return problem;
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var list in Lists)
        {
            if (string.IsNullOrWhiteSpace(list.Id))
            {
                yield return $"Lists: a list named '{list.Name}' has no Id.";
            }
            else if (!ids.Add(list.Id))
            {
                yield return $"Lists: the list id '{list.Id}' appears twice.";
            }

            foreach (var contact in list.Contacts)
            {
                if (string.IsNullOrWhiteSpace(contact.Email))
                {
                    yield return $"Lists[{list.Id}].Contacts: a contact has no Email.";
                }
            }
        }
    }
}

/// <summary>Runs <see cref="PlatformOptions.Validate"/> at start-up (ValidateOnStart).</summary>
internal sealed class PlatformOptionsValidator<TOptions> : IValidateOptions<TOptions>
    where TOptions : PlatformOptions
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var problems = options.Validate().ToList();
        return problems.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(problems.Select(p => $"{typeof(TOptions).Name}.{p}"));
    }
}
