using System.Buffers;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;
using SegmentExport.Emulators.ActiveCampaign;
using SegmentExport.Emulators.CampaignMonitor;
using SegmentExport.Emulators.Mailchimp;

namespace SegmentExport.Bench;

public sealed record RawResult(double Seconds, double PeakRssMb, long Members, long Requests, long Bytes, double CpuSeconds, double JitSeconds, double PostgresCpuSeconds,
    double EmulatorCpuSeconds);

/// <summary>
/// <c>raw --db CS --platform P --root URL --segment ID --pg-data DIR [--warm-segment ID] [--into platform --emulator-pid PID --cc-token T]</c>:
/// the machine's limit for the same work. One query streams the same members (distinct normalized emails of the
/// segment, keyset order) straight from PostgreSQL; they are written in the platform's wire shape and batch size and
/// POSTed, as many at once as the engine sends, to an emulator endpoint that only reads the body. No hashing, no
/// deliveries, no checkpoints, no platform processing.
/// With <c>--into platform</c> the same bodies go to the platform's own import endpoint in the emulator instead, and
/// the pass ends when the platform has processed them (asynchronous imports included): what the engine's work costs
/// at the least when the platform's stand-in shares the machine, with nothing of the engine's own (no answers read,
/// no deliveries, no checkpoints).
/// </summary>
internal static class RawRun
{
    public static async Task<int> RunAsync(Arguments args)
    {
        var platform = BenchPlatform.Find(args.Required("platform"));
        var root = new Uri(args.Required("root"));
        var target = args.Text("into") == "platform" ? Target.Platform(platform, root, args.Required("cc-token")) : Target.Sink(root);
        var emulatorPid = (int)args.Number("emulator-pid", 0);
        var segmentId = args.Number("segment", 1);
        await using var dataSource = NpgsqlDataSource.Create(args.Required("db"));
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 });
        if (args.Text("warm-segment") is not null)
        {
            // Warmed like the engine: passes until the code is at its final tier, the connections open.
            var warmSegment = args.Number("warm-segment", 2);
            await WarmUp.UntilSettledAsync("raw", _ => PassAsync(platform, dataSource, http, target, warmSegment));
        }

        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var jit = System.Runtime.JitInfo.GetCompilationTime();
        var postgres = CpuTime.OfServer(args.Required("pg-data"));
        var emulator = emulatorPid > 0 ? CpuTime.Of(emulatorPid) : 0;
        var watch = Stopwatch.StartNew();
        var (members, requests, bytes) = await PassAsync(platform, dataSource, http, target, segmentId);
        var result = new RawResult(Math.Round(watch.Elapsed.TotalSeconds, 3), BenchHost.PeakRssMb(), members, requests, bytes,
            Math.Round((Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds, 2), Math.Round((System.Runtime.JitInfo.GetCompilationTime() - jit).TotalSeconds, 2),
            Math.Round(CpuTime.OfServer(args.Required("pg-data")) - postgres, 2), emulatorPid > 0 ? Math.Round(CpuTime.Of(emulatorPid) - emulator, 2) : 0);
        Console.WriteLine(JsonSerializer.Serialize(result));
        return 0;
    }

    /// <summary>Where the bodies go: the emulator's sink, or the platform's own import endpoint with its credentials.</summary>
    /// <param name="Idle">Polled after the last answer until the platform has processed everything (asynchronous imports).</param>
    private sealed record Target(Uri Uri, Action<HttpRequestHeaders> Authorize, Uri? Idle)
    {
        public static Target Sink(Uri root) => new(new Uri(root, "_emulator/sink"), _ => { }, null);

        public static Target Platform(BenchPlatform platform, Uri root, string constantContactToken)
        {
            static Action<HttpRequestHeaders> Basic(string user, string password) => headers =>
                headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
            var idle = new Uri(root, "_emulator/background");
            return platform.Key switch
            {
                // Batch subscribe answered as the engine asks for it: only what the outcomes read.
                "mailchimp" => new(new Uri(root, $"mailchimp/{MailchimpOptions.DefaultApiKey.Split('-')[^1]}/3.0/lists/{platform.ListId}?fields={SegmentExport.Destinations.Mailchimp.MailchimpDestination.BatchAnswerFields}"),
                    Basic("bench", MailchimpOptions.DefaultApiKey), null),
                "activecampaign" => new(new Uri(root, "activecampaign/sandbox/api/3/import/bulk_import"),
                    headers => headers.Add("Api-Token", ActiveCampaignOptions.DefaultApiToken), idle),
                "constantcontact" => new(new Uri(root, "constantcontact/v3/activities/contacts_json_import"),
                    headers => headers.Authorization = new AuthenticationHeaderValue("Bearer", constantContactToken), idle),
                _ => new(new Uri(root, $"campaignmonitor/api/v3.3/subscribers/{platform.ListId}/import.json"), Basic(CampaignMonitorOptions.DefaultApiKey, "x"), null),
            };
        }
    }

    private sealed record Background(int Running);

    private static async Task<(long Members, long Requests, long Bytes)> PassAsync(BenchPlatform platform, NpgsqlDataSource dataSource, HttpClient http, Target target, long segmentId)
    {
        using var slots = new SemaphoreSlim(platform.InFlight);
        var inFlight = new List<Task>();
        long members = 0, requests = 0, bytes = 0;
        var batch = new Batch(platform);

        async Task SendAsync(byte[] body, int length)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, target.Uri) { Content = new ByteArrayContent(body, 0, length) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                target.Authorize(request.Headers);
                using var response = await http.SendAsync(request);
                response.EnsureSuccessStatusCode();
                await response.Content.ReadAsByteArrayAsync();
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(body);
                slots.Release();
            }
        }

        async Task FlushAsync()
        {
            if (batch.Count == 0)
            {
                return;
            }

            var (body, length) = batch.Finish();
            batch.Dispose();
            requests++;
            bytes += length;
            await slots.WaitAsync();
            inFlight.RemoveAll(t => t.IsCompletedSuccessfully);
            inFlight.Add(SendAsync(body, length));
            batch = new Batch(platform);
        }

        await using (var command = dataSource.CreateCommand("""
            SELECT DISTINCT ON (p.email_normalized) p.email, p.first_name, p.last_name
            FROM profiles p
            WHERE p.email_normalized IS NOT NULL AND p.email_normalized <> ''
              AND EXISTS (SELECT 1 FROM segment_members m WHERE m.profile_id = p.id AND m.segment_id = $1)
            ORDER BY p.email_normalized USING ~<~, p.id
            """))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = segmentId });
            command.CommandTimeout = 0;
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                members++;
                if (!batch.TryAdd(reader.GetString(0).Trim(), reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2)))
                {
                    await FlushAsync();
                    batch.TryAdd(reader.GetString(0).Trim(), reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2));
                }
            }
        }

        await FlushAsync();
        await Task.WhenAll(inFlight);
        if (target.Idle is { } idle)
        {
            // Asynchronous imports: done when the platform has processed the last of them.
            while ((await http.GetFromJsonAsync<Background>(idle, JsonSerializerOptions.Web))!.Running > 0)
            {
                await Task.Delay(2);
            }
        }

        return (members, requests, bytes);
    }

    /// <summary>One request body in the platform's wire shape, cut at its count and byte limits.</summary>
    private sealed class Batch : IDisposable
    {
        private readonly BenchPlatform _platform;
        private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);
        private readonly Utf8JsonWriter _writer;
        private long _committed;

        public Batch(BenchPlatform platform)
        {
            _platform = platform;
            _writer = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true });
            _writer.WriteStartObject();
            _writer.WriteStartArray(platform.Key switch
            {
                "mailchimp" => "members",
                "activecampaign" => "contacts",
                "constantcontact" => "import_data",
                _ => "Subscribers",
            });
        }

        public int Count { get; private set; }

        public bool TryAdd(string email, string? first, string? last)
        {
            if (Count == _platform.BatchContacts)
            {
                return false;
            }

            _writer.WriteStartObject();
            switch (_platform.Key)
            {
                case "mailchimp":
                    _writer.WriteString("email_address", email);
                    _writer.WriteString("status_if_new", "subscribed");
                    _writer.WriteStartObject("merge_fields");
                    _writer.WriteString("FNAME", first);
                    _writer.WriteString("LNAME", last);
                    _writer.WriteEndObject();
                    break;
                case "activecampaign":
                    _writer.WriteString("email", email);
                    _writer.WriteString("first_name", first);
                    _writer.WriteString("last_name", last);
                    _writer.WriteStartArray("subscribe");
                    _writer.WriteStartObject();
                    _writer.WriteString("listid", _platform.ListId);
                    _writer.WriteEndObject();
                    _writer.WriteEndArray();
                    break;
                case "constantcontact":
                    _writer.WriteString("email", email);
                    _writer.WriteString("first_name", first);
                    _writer.WriteString("last_name", last);
                    break;
                default:
                    _writer.WriteString("EmailAddress", email);
                    _writer.WriteString("Name", $"{first} {last}".Trim());
                    _writer.WriteString("ConsentToTrack", "Unchanged");
                    break;
            }

            _writer.WriteEndObject();
            _writer.Flush();
            if (_buffer.WrittenCount + 200 > _platform.BatchBytes && Count > 0)
            {
                // Over the byte limit: this contact starts the next batch (the written bytes past _committed are dropped).
                return false;
            }

            _committed = _buffer.WrittenCount;
            Count++;
            return true;
        }

        public (byte[] Body, int Length) Finish()
        {
            var head = _buffer.WrittenSpan[..(int)_committed];
            var tail = _platform.Key switch
            {
                "mailchimp" => "],\"update_existing\":true,\"sync_tags\":false}"u8,
                "constantcontact" => "],\"list_ids\":[\"0c3ab1a0-5e1d-4c1a-9a10-000000000001\"]}"u8,
                "campaignmonitor" => "],\"Resubscribe\":false,\"QueueSubscriptionBasedAutoResponders\":false,\"RestartSubscriptionBasedAutoresponders\":false}"u8,
                _ => "]}"u8,
            };
            var body = ArrayPool<byte>.Shared.Rent(head.Length + tail.Length);
            head.CopyTo(body);
            tail.CopyTo(body.AsSpan(head.Length));
            return (body, head.Length + tail.Length);
        }

        public void Dispose() => _writer.Dispose();
    }
}
