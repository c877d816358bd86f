using SegmentExport.Destinations;
using SegmentExport.Emulators.ActiveCampaign;
using SegmentExport.Emulators.CampaignMonitor;
using SegmentExport.Emulators.ConstantContact;
using SegmentExport.Emulators.Mailchimp;

namespace SegmentExport.Bench;

/// <summary>
/// The throttled run's model of one platform, in real-world units: the documented limits the emulator enforces
/// (and the engine's own settings keep), the latency per request, and the floor those allow.
/// </summary>
/// <param name="Describe">One line for the report: limits and latency.</param>
/// <param name="FloorSeconds">
/// Least real-world seconds the limits allow for what a run of this many upsert requests (the POSTs it made) needs: the
/// one read of the list it starts with (before anything is sent), the upserts and, for asynchronous imports, a status
/// read each.
/// </param>
/// <param name="EstimateRequests">Upsert requests for N contacts, to pick the time factor before the run.</param>
/// <param name="Settle">The longest rate window: waited out between the warm-up run and the measured one.</param>
public sealed record ThrottleModel(
    string Describe,
    IReadOnlyDictionary<string, string?> EmulatorSettings,
    Func<long, double> FloorSeconds,
    Func<long, long> EstimateRequests,
    TimeSpan Settle = default);

/// <summary>What the benchmark needs to know about one platform.</summary>
public sealed record BenchPlatform(
    string Key,
    string Section,
    string ListId,
    string UpsertPathEnd,
    int BatchContacts,
    long BatchBytes,
    int InFlight,
    ThrottleModel Throttle)
{
    public static readonly IReadOnlyList<BenchPlatform> All =
    [
        // 10 simultaneous connections, no rate cap (provider-apis 1.7); latency: 0.5 s + 4 ms a member (2.5 s for 500).
        // Floor: the list read's latency, then the batches 10 at a time.
        new("mailchimp", "Mailchimp", MailchimpOptions.NewsletterListId, "/lists/" + MailchimpOptions.NewsletterListId, 500, 10_000_000, 10,
            new ThrottleModel(
                "10 concurrent requests; latency 0.5 s + 4 ms per member",
                new Dictionary<string, string?>
                {
                    ["Sandbox:Mailchimp:Faults:Latency"] = "00:00:00.500",
                    ["Sandbox:Mailchimp:Faults:LatencyPerItems"] = "00:00:00.400",
                    ["Sandbox:Mailchimp:Faults:LatencyItems"] = "100",
                },
                requests => 0.5 + (Math.Ceiling(requests / 10.0) * (0.5 + 500 * 0.004)),
                n => (n + 499) / 500)),

        // 100 bulk imports a minute and 5 requests a second, polls included (provider-apis 2.3, 2.7); import processing
        // as the emulator models it (status false for 1 s, then 3 × 0.3 s); 0.2 s a request. Each import needs its POST
        // and at least one status read, so the floor is the larger of 100/min (after the list read's latency) and
        // (2 requests per import and the list read) at 5/s.
        new("activecampaign", "ActiveCampaign", "1", "/import/bulk_import", 250, 400_000, 10,
            new ThrottleModel(
                "100 bulk imports/min, 5 requests/s (polls count); latency 0.2 s; import done after ~1.9 s",
                new Dictionary<string, string?> { ["Sandbox:ActiveCampaign:Faults:Latency"] = "00:00:00.200" },
                requests => Math.Max(0.2 + (requests / 100.0 * 60), ((requests * 2) + 1) / 5.0),
                n => (n + 249) / 250,
                TimeSpan.FromMinutes(1))),

        // 4 requests a second per key, 10,000 a day (provider-apis 3.7); ≤ 40,000 contacts and < 4 MB an import;
        // activity processing as the emulator models it (0.3 s + 0.3 s); 0.2 s a request. Floor: the list read, and a
        // POST and one status read per import, at 4/s.
        new("constantcontact", "ConstantContact", ConstantContactOptions.NewsletterListId, "/activities/contacts_json_import", 40_000, 4_000_000, 3,
            new ThrottleModel(
                "4 requests/s (polls count); latency 0.2 s; activity done after 0.6 s",
                new Dictionary<string, string?> { ["Sandbox:ConstantContact:Faults:Latency"] = "00:00:00.200" },
                requests => ((requests * 2) + 1) / 4.0,
                n => (n + 39_999) / 40_000,
                TimeSpan.FromSeconds(1))),

        // No published limit for subscriber imports (provider-apis 4.7): the client sends one import at a time
        // (parallel calls are UNCONFIRMED as safe); latency 0.2 s + 1 ms a subscriber (1.2 s for 1,000, the provider
        // doc's implied figure). Floor: the list read's latency, then imports × latency, one at a time.
        new("campaignmonitor", "CampaignMonitor", CampaignMonitorOptions.NewsletterListId, "/import.json", 1000, 10_000_000, 1,
            new ThrottleModel(
                "no published limit, 1 import at a time; latency 0.2 s + 1 ms per subscriber",
                new Dictionary<string, string?>
                {
                    ["Sandbox:CampaignMonitor:Faults:Latency"] = "00:00:00.200",
                    ["Sandbox:CampaignMonitor:Faults:LatencyPerItems"] = "00:00:00.100",
                    ["Sandbox:CampaignMonitor:Faults:LatencyItems"] = "100",
                },
                requests => 0.2 + (requests * (0.2 + (1000 * 0.001))),
                n => (n + 999) / 1000)),
    ];

    public static BenchPlatform Find(string key) =>
        All.FirstOrDefault(p => string.Equals(p.Key, key, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Unknown platform '{key}'; use {string.Join(", ", All.Select(p => p.Key))}.");

    /// <summary>The engine's settings for this platform against an emulator at <paramref name="root"/>.</summary>
    public Dictionary<string, string?> DestinationSettings(Uri root, bool throttled)
    {
        var prefix = $"{DestinationRegistration.SectionName}:{Section}:";
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            [prefix + "BaseUrl"] = Key switch
            {
                "mailchimp" => root + "mailchimp/{dc}/3.0/",
                "activecampaign" => root + "activecampaign/{account}/api/3/",
                "constantcontact" => root + "constantcontact/v3/",
                _ => root + "campaignmonitor/api/v3.3/",
            },
        };
        // The tuned setting the benchmark measures (the defaults keep one import at a time, see the destinations README).
        settings[prefix + "BatchesInFlight"] = Environment.GetEnvironmentVariable("BENCH_IN_FLIGHT") ?? InFlight.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (!throttled)
        {
            // Unthrottled: the emulator enforces nothing and answers at once, so the engine keeps no limit either
            // (its concurrency stays: that is how many batches it has in flight) and polls finished imports at once.
            settings[prefix + "RequestsPerSecond"] = "0";
            settings[prefix + "BulkRequestsPerMinute"] = "0";
            settings[prefix + "Poll:InitialDelay"] = "00:00:00.005";
            settings[prefix + "Poll:MaxDelay"] = "00:00:00.050";
        }

        return settings;
    }

    /// <summary>The emulator's settings: nothing enforced and no waiting, or the throttle model.</summary>
    public Dictionary<string, string?> EmulatorSettings(bool throttled)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Sandbox:RequestLogCapacity"] = "100000",
        };
        foreach (var platform in All)
        {
            settings[$"Sandbox:{platform.Section}:Faults:RateLimitsEnabled"] = throttled && platform == this ? "true" : "false";
        }

        if (throttled)
        {
            foreach (var (key, value) in Throttle.EmulatorSettings)
            {
                settings[key] = value;
            }
        }
        else
        {
            settings["Sandbox:ActiveCampaign:ImportStatusFalseFor"] = "00:00:00";
            settings["Sandbox:ActiveCampaign:ImportWaiting"] = "00:00:00";
            settings["Sandbox:ActiveCampaign:ImportClaimed"] = "00:00:00";
            settings["Sandbox:ActiveCampaign:ImportActive"] = "00:00:00";
            settings["Sandbox:ConstantContact:ActivityInitialized"] = "00:00:00";
            settings["Sandbox:ConstantContact:ActivityProcessing"] = "00:00:00";
        }

        return settings;
    }
}
