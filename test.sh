#!/usr/bin/env bash
# The test command: builds everything and runs every test against throwaway PostgreSQL clusters.
# Ends with one line "N passed, N failed"; exits non-zero when anything failed.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/prerequisites.sh
# Browser journeys (tests/SegmentExport.Tests/Journeys) drive Debian's Chromium.
ensure_prerequisites postgres chromium

# Each hosted app would hold inotify watchers (config reload, asp-append-version); many apps at once can exhaust the
# per-user inotify limit (128 by default), so the tests poll for file changes instead.
export DOTNET_USE_POLLING_FILE_WATCHER=true

# Many app instances (test hosts and worker processes) each watch their configuration files: the default of 128
# inotify instances per user runs out. Raise it when we may; otherwise tests still run, with fewer watchers.
if [ "$(id -u)" = 0 ] && [ "$(cat /proc/sys/fs/inotify/max_user_instances 2>/dev/null || echo 1024)" -lt 1024 ]; then
  sysctl -q -w fs.inotify.max_user_instances=1024 || true
fi
export DOTNET_hostBuilder__reloadConfigOnChange=false

results="$(pwd)/.scratch/test-results"
rm -rf "$results"
mkdir -p "$results"

status=0
dotnet test SegmentExport.sln -c Release -nologo \
  --logger "trx" --results-directory "$results" \
  --blame-hang-timeout 10m || status=$?

passed=0
failed=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # The build or the runner failed before any test could report: count that as a failure.
  failed=1
fi
echo "${passed} passed, ${failed} failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
