using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using SegmentExport.Destinations;
using SegmentExport.Web.Data;
using SegmentExport.Web.Database;

namespace SegmentExport.Web.Exports;

/// <summary>Where a run sends: the platform client, the account, and the connection's profile cap.</summary>
/// <param name="OnCredentialsRejected">Told when the platform refuses the credentials, so the connection shows it.</param>
public sealed record ExportTarget(IDestination Destination, DestinationAccount Account, long ProfileCap, string ConnectionName,
    Func<string, CancellationToken, Task>? OnCredentialsRejected = null);

/// <summary>
/// Runs (or resumes) one export run: checks the list and the cap, streams members in keyset order,
/// sends only new or changed contacts in platform-sized batches, handles leavers, and commits a
/// checkpoint after every acknowledged batch. Idempotent: a recovered run continues from its cursor.
/// </summary>
public sealed class ExportEngine(IServiceScopeFactory scopes, NpgsqlDataSource dataSource, TimeProvider clock, IConfiguration configuration, ILogger<ExportEngine> logger)
{
    /// <summary>How long a run waits for a lost database before it gives up (the next trigger then resumes it).</summary>
    public TimeSpan DatabaseOutageWait => configuration.GetValue<TimeSpan?>("Exports:DatabaseOutageWait") ?? TimeSpan.FromMinutes(10);

    /// <summary>
    /// Runs the run to its end. When the database goes away mid-run (a restart, a failover), the run pauses, waits
    /// for it, and resumes from its last committed checkpoint: a checkpoint is one transaction, so none is ever
    /// half-written, and the pages not yet recorded (those in flight, and one acknowledged whose checkpoint was being
    /// committed) are sent again, which the platforms upsert harmlessly.
    /// </summary>
    public async Task RunAsync(long runId, ExportTarget target, string node, CancellationToken cancellationToken)
    {
        var lostAt = (DateTimeOffset?)null;
        while (true)
        {
            try
            {
                await RunOnceAsync(runId, target, node, cancellationToken);
                return;
            }
            catch (Exception ex) when (IsDatabaseOutage(ex) && !cancellationToken.IsCancellationRequested)
            {
                lostAt ??= clock.GetUtcNow();
                logger.LogWarning("Export run {RunId} lost the database ({Reason}); waiting for it to resume from the last checkpoint", runId, ex.GetType().Name);
                if (!await WaitForDatabaseAsync(lostAt.Value + DatabaseOutageWait, cancellationToken))
                {
                    logger.LogError("Export run {RunId} gave up after the database stayed away for {Wait}; the next trigger resumes it", runId, DatabaseOutageWait);
                    throw;
                }

                await new RunLedger(dataSource, 0, runId, clock).EventAsync(
                    $"The database was unreachable for {(clock.GetUtcNow() - lostAt.Value).TotalSeconds:N0} s; resuming from the last checkpoint.", cancellationToken);
                lostAt = null;
            }
        }
    }

    /// <summary>Connection-level failures (refused, reset, server shutting down) as opposed to errors in our SQL.</summary>
    public static bool IsDatabaseOutage(Exception exception) => exception switch
    {
        PostgresException pg => pg.SqlState.StartsWith("08", StringComparison.Ordinal) || pg.SqlState.StartsWith("57P", StringComparison.Ordinal),
        NpgsqlException npgsql => npgsql.IsTransient || npgsql.InnerException is System.Net.Sockets.SocketException or IOException or TimeoutException,
        InvalidOperationException { InnerException: { } inner } => IsDatabaseOutage(inner),
        _ => exception.InnerException is NpgsqlException inner && IsDatabaseOutage(inner),
    };

    private async Task<bool> WaitForDatabaseAsync(DateTimeOffset until, CancellationToken cancellationToken)
    {
        while (clock.GetUtcNow() < until)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), clock, cancellationToken);
            try
            {
                await using var command = dataSource.CreateCommand("SELECT 1");
                await command.ExecuteScalarAsync(cancellationToken);
                return true;
            }
            catch (Exception ex) when (IsDatabaseOutage(ex))
            {
                // Still away.
            }
        }

        return false;
    }

    private async Task RunOnceAsync(long runId, ExportTarget target, string node, CancellationToken cancellationToken)
    {
        ExportRun run;
        Export export;
        long[] segmentIds;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            run = await db.ExportRuns.AsNoTracking().SingleAsync(r => r.Id == runId, cancellationToken);
            export = await db.Exports.AsNoTracking().SingleAsync(e => e.Id == run.ExportId, cancellationToken);
            segmentIds = await db.ExportSegments.Where(s => s.ExportId == export.Id).Select(s => s.SegmentId).ToArrayAsync(cancellationToken);
        }

        if (run.Status is not (RunStatus.Queued or RunStatus.Running))
        {
            // Already ended (e.g. the database went away just after the final write): nothing to resume.
            return;
        }

        var ledger = new RunLedger(dataSource, export.Id, runId, clock);
        var resumed = run.Status == RunStatus.Running;
        await ledger.SetAsync("status = 'Running', node = $2, started_at = coalesce(started_at, $3)", cancellationToken, node, clock.GetUtcNow());
        await ledger.EventAsync(resumed ? $"Resumed on {node} from the last checkpoint." : $"Started on {node}.", cancellationToken);
        logger.LogInformation("Export {ExportId} run {RunId} {State} on {Node}", export.Id, runId, resumed ? "resumed" : "started", node);

        try
        {
            var outcome = await ExecuteAsync(run, export, segmentIds, target, ledger, cancellationToken);
            await ledger.SetAsync("status = $2, finished_at = $3, phase = 'Done'", CancellationToken.None, outcome.ToString(), clock.GetUtcNow());
            await ledger.EventAsync(outcome == RunStatus.Cancelled ? "Cancelled." : "Finished.", CancellationToken.None);
            logger.LogInformation("Export {ExportId} run {RunId} ended {Status}", export.Id, runId, outcome);
        }
        catch (Exception ex) when (ex is RunFailedException or DestinationException)
        {
            if (ex is CredentialsRejectedException && target.OnCredentialsRejected is { } flag)
            {
                await flag(ex.Message, CancellationToken.None);
            }

            // Deliveries are recorded per acknowledged page, so whatever the platform did not confirm goes again next time.
            var sentence = ex is DestinationException and not CredentialsRejectedException
                ? ex.Message + " The next run sends whatever was not confirmed."
                : ex.Message;
            await ledger.SetAsync("status = 'Failed', finished_at = $2, error = $3", CancellationToken.None, clock.GetUtcNow(), sentence);
            await ledger.EventAsync("Failed: " + sentence, CancellationToken.None);
            logger.LogWarning("Export {ExportId} run {RunId} failed ({Reason})", export.Id, runId, ex.GetType().Name);
        }
    }

    private async Task<RunStatus> ExecuteAsync(ExportRun run, Export export, long[] segmentIds, ExportTarget target, RunLedger ledger, CancellationToken cancellationToken)
    {
        var mapping = ExportMapping.FromJson(export.Mapping);
        var tags = System.Text.Json.JsonSerializer.Deserialize<List<string>>(export.Tags) ?? [];
        var members = new ExportMembers(dataSource, export.Id, segmentIds, mapping, tags, export.TagWithSegmentNames);
        var description = target.Destination.Description;

        var fresh = run.Phase == RunPhase.Upsert && run.Cursor is null;
        if (fresh)
        {
            // The platform is asked for the list while the database counts the members: neither waits for the other.
            var list = target.Destination.GetListAsync(target.Account, export.ListId, cancellationToken);
            try
            {
                // The segments' memberships, and then their profiles with an email, bound the distinct emails from above:
                // when a bound is within the cap, the exact count (a sort of every member) is not needed before sending;
                // the run counts them. Each step costs several times the one before it.
                var count = await members.CountMembershipsAsync(cancellationToken);
                if (count > target.ProfileCap)
                {
                    count = await members.CountUpperBoundAsync(cancellationToken);
                }

                if (count > target.ProfileCap)
                {
                    count = await members.CountAsync(cancellationToken);
                }

                if (count > target.ProfileCap)
                {
                    throw new RunFailedException($"This export would send {count:N0} profiles, over the cap of {target.ProfileCap:N0} for '{target.ConnectionName}'. Nothing was sent. Narrow the segments, or ask an administrator to raise the connection's cap.");
                }

                await ledger.SetAsync("members = $2", cancellationToken, count);
            }
            catch
            {
                // The count's failure is the one reported; the list's answer (or error) no longer matters.
                await Quietly(list);
                throw;
            }

            if (await list is null)
            {
                throw new RunFailedException($"{description.DisplayName} has no list with the id '{export.ListId}' in '{target.ConnectionName}'. Choose an existing list in the export.");
            }
        }

        // A page is what one checkpoint commits: one platform batch. Pages go side by side, as many as the client keeps
        // batches in flight within the platform's concurrency, and commit in order: so a run that dies re-sends at most
        // the batches that were in flight (and one acknowledged whose checkpoint was being committed), not whole pages
        // of batches queued behind them.
        var concurrent = description.Rate.MaxConcurrentRequests is > 0 and var limit ? limit : (int?)null;
        var pageSize = Math.Clamp(description.Batch.MaxContacts, 100, Math.Max(description.Batch.MaxContacts, 10_000));
        var inFlight = Math.Max(1, Math.Min(description.Batch.InFlight, concurrent ?? int.MaxValue));
        var cursor = run.Cursor;
        if (run.Phase == RunPhase.Upsert)
        {
            var (status, streamed) = await UpsertAsync(run, export, members, target, ledger, cursor, pageSize, inFlight, cancellationToken);
            if (status == RunStatus.Cancelled)
            {
                return RunStatus.Cancelled;
            }

            if (fresh)
            {
                // The run saw every member once: that is the exact count the upper bound stood in for.
                await ledger.SetAsync("members = $2", cancellationToken, streamed);
            }

            if (!run.DryRun)
            {
                // The next run's member query joins these deliveries: after a first run of a million, plan it on a million.
                await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
                await using var delivered = new NpgsqlCommand("SELECT created + updated FROM export_runs WHERE id = $1", connection);
                delivered.Parameters.Add(new NpgsqlParameter { Value = run.Id });
                var count = (long)(await delivered.ExecuteScalarAsync(cancellationToken))!;
                await Statistics.RefreshAfterBulkChangeAsync(connection, Statistics.ExportDeliveries, count, cancellationToken);
            }

            cursor = null;
        }

        if (export.Leavers != LeaverAction.Nothing)
        {
            var leavers = new ExportLeavers(dataSource, export.Id, segmentIds);
            while (true)
            {
                var emails = await leavers.PageAsync(cursor, pageSize, cancellationToken);
                if (emails.Count == 0)
                {
                    break;
                }

                var tally = new BatchTally();
                if (run.DryRun)
                {
                    tally.RemovedCount = emails.Count;
                }
                else
                {
                    var mode = export.Leavers == LeaverAction.Unsubscribe ? RemoveMode.Unsubscribe : RemoveMode.RemoveFromList;
                    var result = await target.Destination.RemoveAsync(target.Account, export.ListId, emails, mode, cancellationToken);
                    foreach (var outcome in result.Outcomes)
                    {
                        if (outcome.Kind is ContactOutcomeKind.Removed or ContactOutcomeKind.Skipped)
                        {
                            // Skipped: the platform no longer has them subscribed; either way they are no longer ours to touch.
                            tally.Removed.Add(outcome.Email.Trim().ToLowerInvariant());
                            tally.RemovedCount++;
                        }
                        else if (outcome.Kind == ContactOutcomeKind.Rejected)
                        {
                            tally.Rejected++;
                            tally.Undelivered.Add((outcome.Email, true, outcome.Code, "Could not remove: " + (outcome.Message ?? "refused")));
                        }
                    }
                }

                cursor = emails[^1];
                if (await ledger.CheckpointAsync(tally, RunPhase.Leavers, cursor, cancellationToken))
                {
                    return RunStatus.Cancelled;
                }
            }
        }

        await using var check = dataSource.CreateCommand("SELECT rejected FROM export_runs WHERE id = $1");
        check.Parameters.Add(new NpgsqlParameter { Value = run.Id });
        return (long)(await check.ExecuteScalarAsync(cancellationToken))! > 0 ? RunStatus.SucceededWithRejections : RunStatus.Succeeded;
    }


    /// <summary>How old a cancel flag read by a checkpoint may be before dispatching a page asks again.</summary>
    private static readonly TimeSpan CancelCheckAge = TimeSpan.FromMilliseconds(250);

    /// <summary>Members read ahead of the page being cut, for pages with nothing (or little) to send.</summary>
    private const int MaxScannedPerPage = 50_000;

    /// <summary>A page of members: the ones to send (handed over once, see <see cref="TakeSending"/>) and the unchanged ones counted.</summary>
    private sealed class Page(Sending toSend, long unchanged, string lastEmail)
    {
        private Sending? _toSend = toSend;

        public int Count { get; } = toSend.Count;

        public long Unchanged => unchanged;

        public string LastEmail => lastEmail;

        /// <summary>
        /// The members to send, once: a page waits in the commit queue until its checkpoint, and must not hold its contacts
        /// (or its request) that long (Constant Contact's import of 40,000 is in the platform's hands once its POST is accepted).
        /// </summary>
        public Sending TakeSending() => Interlocked.Exchange(ref _toSend, null) ?? throw new InvalidOperationException("The page was already sent.");
    }

    /// <summary>
    /// The upsert phase as a pipeline: one query streams the members into pages (only the contacts to send are kept),
    /// up to <paramref name="pagesInFlight"/> pages are sent at once, and checkpoints are committed strictly in page order,
    /// each once its page is acknowledged, while the next page is already on the wire. So the cursor never passes an
    /// unacknowledged contact, and a run that dies re-sends at most the pages in flight and the one being committed,
    /// which the platforms upsert harmlessly.
    /// </summary>
    private async Task<(RunStatus Status, long Streamed)> UpsertAsync(ExportRun run, Export export, ExportMembers members, ExportTarget target, RunLedger ledger,
        string? cursor, int pageSize, int pagesInFlight, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        // Pages side by side stop together when one fails (a revoked key must not fail once per page in flight).
        using var sends = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pages = Channel.CreateBounded<Page>(new BoundedChannelOptions(1) { SingleWriter = true });

        // At most one page is read ahead of those in flight: with Constant Contact's 40,000-contact batches, each page
        // held in memory counts (a channel alone would let one wait in it and another, built, wait to enter it). A slot
        // comes back when the platform acknowledges its page, not when the checkpoint is committed: the next page is
        // read while the checkpoint is written (an acknowledged page holds only its tally).
        using var pageSlots = new SemaphoreSlim(pagesInFlight + 1);
        // A platform that writes its requests as the members stream in gets each contact as it is read (the page then
        // holds the request, not the contacts); a dry run sends nothing and only counts.
        Func<int, Sending> open = !run.DryRun && target.Destination is IStreamedUpsert streamed
            ? capacity => Sending.Streamed(() => streamed.OpenBatch(target.Account, export.ListId), capacity)
            : Sending.Listed;
        var producer = Task.Run(() => ProduceAsync(members, cursor, pageSize, run.FullResync, open, pages.Writer, pageSlots, stop.Token), CancellationToken.None);
        var sending = new Queue<(Page Page, Task<BatchTally> Tally)>();
        var cancelled = false;
        try
        {
            var dispatched = 0;
            while (true)
            {
                // Acknowledged pages at the head are committed in order, while the pages dispatched after them are on
                // the wire: the checkpoint's transaction is never time the platform's connection sits idle.
                while (!cancelled && sending.TryPeek(out var head) && head.Tally.IsCompleted)
                {
                    cancelled = await CommitOldestAsync(sending, ledger, cancellationToken);
                }

                if (cancelled)
                {
                    break;
                }

                if (!pages.Reader.TryRead(out var page))
                {
                    // Wait for the next page, or for the oldest page's answer (its commit frees the producer's slot).
                    var more = pages.Reader.WaitToReadAsync(stop.Token).AsTask();
                    if (sending.TryPeek(out var oldest) && await Task.WhenAny(more, oldest.Tally) != more)
                    {
                        continue;
                    }

                    if (!await more)
                    {
                        break;
                    }

                    continue;
                }

                // The first page always goes; a later one only while the run is not being cancelled (with pages side by
                // side, the checkpoint that would notice comes after several are already sent). Each checkpoint reads the
                // flag too, so this asks the database only when no checkpoint did in the last quarter second.
                if (dispatched++ > 0 && sending.Count > 0 && await ledger.CancelRequestedAsync(cancellationToken, CancelCheckAge))
                {
                    cancelled = true;
                    break;
                }

                // A send slot is free once a page is acknowledged, before its checkpoint is committed.
                // (One snapshot of the unanswered sends: one may finish between a count and a second look.)
                for (var unanswered = Unanswered(sending); unanswered.Count >= pagesInFlight; unanswered = Unanswered(sending))
                {
                    var answered = await Task.WhenAny(unanswered);
                    if (!answered.IsCompletedSuccessfully)
                    {
                        await answered;
                    }
                }

                sending.Enqueue((page, AcknowledgedAsync(SendPageAsync(page, run, export, members, target, ledger, sends.Token), pageSlots)));
            }

            // What is in flight was sent: record it even when the run was cancelled meanwhile.
            while (sending.Count > 0)
            {
                cancelled |= await CommitOldestAsync(sending, ledger, cancellationToken);
            }

            if (cancelled)
            {
                await stop.CancelAsync();
                await Quietly(producer);
                return (RunStatus.Cancelled, 0);
            }

            return (RunStatus.Succeeded, await producer);
        }
        catch
        {
            await stop.CancelAsync();
            await sends.CancelAsync();
            await Quietly(producer);
            foreach (var (_, tally) in sending)
            {
                await Quietly(tally);
            }

            throw;
        }
    }

    /// <summary>The page's send, giving its read-ahead slot back once the platform answered (or the send failed).</summary>
    private static async Task<BatchTally> AcknowledgedAsync(Task<BatchTally> send, SemaphoreSlim pageSlots)
    {
        try
        {
            return await send;
        }
        finally
        {
            pageSlots.Release();
        }
    }

    private static List<Task<BatchTally>> Unanswered(Queue<(Page Page, Task<BatchTally> Tally)> sending) =>
        sending.Select(s => s.Tally).Where(t => !t.IsCompleted).ToList();

    /// <summary>
    /// Commits the oldest page once the platform acknowledged it, together with the pages behind it that are already
    /// acknowledged too (one transaction for several: with ten batches in flight they often finish together), so the
    /// cursor still never passes a contact the platform has not acknowledged.
    /// </summary>
    private static async Task<bool> CommitOldestAsync(Queue<(Page Page, Task<BatchTally> Tally)> sending, RunLedger ledger, CancellationToken cancellationToken)
    {
        var (page, sent) = sending.Dequeue();
        var tally = await sent;
        while (sending.TryPeek(out var next) && next.Tally.IsCompletedSuccessfully)
        {
            sending.Dequeue();
            tally.Absorb(next.Tally.Result);
            page = next.Page;
        }

        return await ledger.CheckpointAsync(tally, RunPhase.Upsert, page.LastEmail, cancellationToken);
    }

    /// <summary>Cuts the member stream into pages of at most <paramref name="pageSize"/> contacts to send; returns how many members it read.</summary>
    private static async Task<long> ProduceAsync(ExportMembers members, string? cursor, int pageSize, bool fullResync, Func<int, Sending> open, ChannelWriter<Page> pages,
        SemaphoreSlim pageSlots, CancellationToken cancellationToken)
    {
        long streamed = 0;
        try
        {
            await pageSlots.WaitAsync(cancellationToken);
            // A page is sized like the one before it: full pages on a first run, a few changed members on later ones.
            var toSend = open(pageSize);
            long unchanged = 0;
            string? last = null;
            await foreach (var member in members.StreamAsync(cursor, buildUnchanged: fullResync, cancellationToken))
            {
                streamed++;
                if (fullResync || !member.Unchanged)
                {
                    if (!toSend.TryAdd(member))
                    {
                        // The platform's request is full (by bytes before count): the page ends before this member.
                        var full = toSend.Count;
                        await pages.WriteAsync(new Page(toSend, unchanged, last!), cancellationToken);
                        await pageSlots.WaitAsync(cancellationToken);
                        toSend = open(NextCapacity(full, pageSize));
                        unchanged = 0;
                        if (!toSend.TryAdd(member))
                        {
                            throw new InvalidOperationException("An empty request refused a contact.");
                        }
                    }
                }
                else
                {
                    unchanged++;
                }

                last = member.EmailNormalized;
                if (toSend.Count == pageSize || toSend.Count + unchanged >= MaxScannedPerPage)
                {
                    var count = toSend.Count;
                    await pages.WriteAsync(new Page(toSend, unchanged, last), cancellationToken);
                    await pageSlots.WaitAsync(cancellationToken);
                    toSend = open(NextCapacity(count, pageSize));
                    unchanged = 0;
                }
            }

            if (last is not null && (toSend.Count > 0 || unchanged > 0))
            {
                await pages.WriteAsync(new Page(toSend, unchanged, last), cancellationToken);
            }

            pages.Complete();
            return streamed;
        }
        catch (Exception ex)
        {
            pages.Complete(ex);
            throw;
        }
    }

    private static int NextCapacity(int previous, int pageSize) => Math.Clamp(previous + (previous / 4), 64, pageSize);

    private async Task<BatchTally> SendPageAsync(Page page, ExportRun run, Export export, ExportMembers members, ExportTarget target, RunLedger ledger, CancellationToken cancellationToken)
    {
        var tally = new BatchTally { Unchanged = page.Unchanged, ToSend = page.Count };
        if (run.DryRun)
        {
            var toSend = page.TakeSending();
            tally.Created = toSend.NewCount;
            tally.Updated = toSend.Count - tally.Created;
        }
        else if (page.Count > 0)
        {
            tally.Delivered.EnsureCapacity(page.Count);
            await SendAsync(page.TakeSending(), export, members, target, tally, ledger, cancellationToken);
        }

        return tally;
    }

    private static async Task Quietly(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception)
        {
            // Already failing or cancelled: the first error is the one reported.
        }
    }

    /// <summary>
    /// Sends contacts, waiting out throttling for the deferred ones, and tallies every outcome. The contacts are handed
    /// to the platform's client and not kept here: what the outcomes need is the members' keys and hashes. Contacts the
    /// platform throttled are read again from the database (as they are now) when they go again.
    /// </summary>
    private async Task SendAsync(Sending sending, Export export, ExportMembers members, ExportTarget target, BatchTally tally, RunLedger ledger, CancellationToken cancellationToken)
    {
        var count = sending.Count;
        var watch = Stopwatch.StartNew();
        // Requests the client sent again after 429s, 5xx, timeouts or dropped connections count as the run's retries.
        var resent = RetryTally.Start();
        while (sending.HasContacts)
        {
            // The contacts (or the request written from them) go straight to the client: nothing here keeps them alive
            // while the platform works.
            var result = await sending.SendAsync(target, export.ListId, cancellationToken);
            var deferred = new List<SentMember>();
            for (var i = 0; i < result.Outcomes.Count; i++)
            {
                var outcome = result.Outcomes[i];
                var member = sending.Find(outcome.Email, i);
                switch (outcome.Kind)
                {
                    case ContactOutcomeKind.Created or ContactOutcomeKind.Updated or ContactOutcomeKind.Accepted:
                        tally.Sent++;
                        // Accepted (asynchronous imports) does not say whether the contact was new; our deliveries do.
                        if (outcome.Kind == ContactOutcomeKind.Created || (outcome.Kind == ContactOutcomeKind.Accepted && member.New))
                        {
                            tally.Created++;
                        }
                        else
                        {
                            tally.Updated++;
                        }

                        tally.Delivered.Add((member.EmailNormalized, member.PayloadHash, member.New));
                        break;
                    case ContactOutcomeKind.Skipped:
                        tally.Sent++;
                        tally.Skipped++;
                        tally.Undelivered.Add((member.Email, false, outcome.Code, outcome.Message ?? "skipped by the platform"));
                        break;
                    case ContactOutcomeKind.Rejected:
                        tally.Sent++;
                        tally.Rejected++;
                        tally.Undelivered.Add((member.Email, true, outcome.Code, outcome.Message ?? "rejected by the platform"));
                        break;
                    case ContactOutcomeKind.Deferred:
                        deferred.Add(member);
                        break;
                }
            }

            if (deferred.Count > 0)
            {
                tally.Retries++;
                var wait = result.RetryAfter ?? TimeSpan.FromSeconds(1);
                await ledger.EventAsync($"{target.Destination.Description.DisplayName} throttled {deferred.Count} contacts; sending them again in {wait.TotalSeconds:N0} s.", cancellationToken);
                await Task.Delay(wait, clock, cancellationToken);
                await sending.RereadAsync(deferred, members, tally, cancellationToken);
            }
        }

        if (resent.Count > 0)
        {
            tally.Retries += resent.Count;
            await ledger.EventAsync($"{target.Destination.Description.DisplayName} answered {resent.Count} requests with an error or not at all; they were sent again.", cancellationToken);
        }

        logger.LogDebug("Sent {Count} contacts in {Elapsed} ms", count, watch.ElapsedMilliseconds);
    }

    /// <summary>What a member sent needs once its contact is in the platform's hands: its keys, its hash, and whether this export never delivered it.</summary>
    private readonly record struct SentMember(string EmailNormalized, string Email, long PayloadHash, bool New);

    /// <summary>
    /// A page's contacts on their way to the platform, and what their outcomes need, in the order handed over. The
    /// contacts are handed over once per attempt (<see cref="SendAsync"/>), so an import the platform is working on does
    /// not keep them: as a list for <see cref="IDestination.UpsertAsync"/>, or already written into the platform's request
    /// (<see cref="IStreamedUpsert"/>) as the producer read them. Per member the page keeps its hash and whether it is new;
    /// the emails stay packed (the streamed request's own list, or one kept here), and a normalized email only where it
    /// differs from the contact's: a Constant Contact import of 40,000 in flight holds no string per member. Nothing is
    /// allocated for a page until it has a member to send (an unchanged run reads pages of none).
    /// </summary>
    private sealed class Sending(Func<IUpsertBatch>? openBatch, int capacity)
    {
        private List<ContactRecord>? _contacts;
        private IUpsertBatch? _batch;
        private PackedEmails? _emails;
        private List<(long Hash, bool New)> _members = [];
        private Dictionary<int, string>? _normalized;
        private Dictionary<string, int>? _byEmail;

        public int Count => _members.Count;

        /// <summary>Members this export never delivered.</summary>
        public int NewCount => _members.Count(m => m.New);

        public bool HasContacts => _batch is not null || _contacts is { Count: > 0 };

        /// <summary>Contacts kept in a list until they are sent.</summary>
        public static Sending Listed(int capacity) => new(null, capacity);

        /// <summary>Contacts written into the platform's request as they are added; none is kept.</summary>
        public static Sending Streamed(Func<IUpsertBatch> openBatch, int capacity) => new(openBatch, capacity);

        /// <summary>Adds the member's contact; false when the platform's request is full (nothing added).</summary>
        public bool TryAdd(Member member)
        {
            if (_members.Count == 0)
            {
                _members.Capacity = capacity;
                if (openBatch is not null)
                {
                    _batch = openBatch();
                    _emails = _batch.Emails;
                }
                else
                {
                    _contacts = new List<ContactRecord>(capacity);
                    _emails = new PackedEmails(capacity);
                }
            }

            if (_batch is { } batch)
            {
                // The request keeps the email of each contact it takes (and of none it refuses).
                if (!batch.TryAdd(member.Contact))
                {
                    return false;
                }
            }
            else
            {
                _contacts!.Add(member.Contact);
                _emails!.Add(member.Contact.Email);
            }

            Keep(member);
            return true;
        }

        private void Keep(Member member)
        {
            if (!string.Equals(member.EmailNormalized, member.Contact.Email, StringComparison.Ordinal))
            {
                (_normalized ??= [])[_members.Count] = member.EmailNormalized;
            }

            _members.Add((member.PayloadHash, member.DeliveredHash is null));
        }

        /// <summary>Sends what is waiting, once: the written request, or the contacts (those read again after throttling).</summary>
        public Task<UpsertResult> SendAsync(ExportTarget target, string listId, CancellationToken cancellationToken) =>
            Interlocked.Exchange(ref _batch, null) is { } batch
                ? batch.SendAsync(cancellationToken)
                : target.Destination.UpsertAsync(target.Account, listId, Interlocked.Exchange(ref _contacts, null) ?? [], cancellationToken);

        /// <summary>
        /// The member an outcome is about: outcomes come in the order the contacts were handed over (checked by email),
        /// otherwise it is found by email. The outcome's email string serves as the member's when it is the same.
        /// </summary>
        public SentMember Find(string email, int index)
        {
            var emails = _emails!;
            var match = emails.Match(index, email);
            if (match == EmailMatch.None)
            {
                _byEmail ??= emails.Select((e, i) => (e, i)).ToDictionary(m => m.e, m => m.i, StringComparer.OrdinalIgnoreCase);
                index = _byEmail[email];
                match = emails.Match(index, email);
            }

            var contactEmail = match == EmailMatch.Exactly ? email : emails[index];
            var (hash, isNew) = _members[index];
            return new SentMember(_normalized?.GetValueOrDefault(index) ?? contactEmail, contactEmail, hash, isNew);
        }

        /// <summary>
        /// The throttled contacts as they are now, to send again (with the hashes of what is sent). One that left the
        /// segments meanwhile is not sent; it is reported skipped, so every member of the page still has an outcome.
        /// </summary>
        public async Task RereadAsync(List<SentMember> deferred, ExportMembers members, BatchTally tally, CancellationToken cancellationToken)
        {
            var now = (await members.ReadAsync(deferred.Select(m => m.EmailNormalized).ToList(), cancellationToken))
                .ToDictionary(m => m.EmailNormalized, StringComparer.Ordinal);
            _members = new List<(long Hash, bool New)>(now.Count);
            _normalized = null;
            _byEmail = null;
            _contacts = new List<ContactRecord>(now.Count);
            _emails = new PackedEmails(now.Count);
            foreach (var old in deferred)
            {
                if (now.TryGetValue(old.EmailNormalized, out var member))
                {
                    _contacts.Add(member.Contact);
                    _emails.Add(member.Contact.Email);
                    Keep(member);
                }
                else
                {
                    // Counted like a contact the platform skipped, so the run's sent figure still reaches its to-send.
                    tally.Sent++;
                    tally.Skipped++;
                    tally.Undelivered.Add((old.Email, false, "left_segments", "Left the export's segments while the platform was throttling; not sent."));
                }
            }
        }
    }
}

/// <summary>A run cannot go on; the message says why and what to do.</summary>
public sealed class RunFailedException(string message) : Exception(message);
