#!/usr/bin/env bash
# The export benchmark (issue 8): one command, its own throwaway PostgreSQL and emulators.
#   bench/run.sh [--profiles 1000000] [--platforms mailchimp,activecampaign,constantcontact,campaignmonitor]
#                [--repeat 3] [--throttle-seconds 60] [--memory-profiles 100000] [--no-memory-check]
#                [--no-throttled] [--only-throttled] [--no-platform-floor] [--requests-log file.json] [--no-data]
#                [--out bench/results/latest.json]
# Prints one table and writes the same figures as JSON (default bench/results/latest.json). See README "Measured".
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/prerequisites.sh
ensure_prerequisites postgres
# No configuration file watchers in the benchmark processes: a busy machine can run out of inotify instances.
export DOTNET_hostBuilder__reloadConfigOnChange=false
dotnet build bench/SegmentExport.Bench -c Release -nologo -v quiet -clp:ErrorsOnly
args=("$@")
if [[ " $* " != *" --out "* ]]; then
  args+=(--out bench/results/latest.json)
fi
exec dotnet bench/SegmentExport.Bench/bin/Release/net10.0/SegmentExport.Bench.dll run "${args[@]}"
