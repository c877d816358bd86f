#!/usr/bin/env bash
# The run command: starts SegmentExport on an embedded PostgreSQL (data kept in ./.data) and prints its URL.
# Set ConnectionStrings__Postgres to use an existing server instead; PORT changes the port (default 5080).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/prerequisites.sh
demo=()
if [ -z "${ConnectionStrings__Postgres:-}" ]; then
  ensure_prerequisites postgres
  # A fresh embedded install starts with demo profiles (once; see Demo:SeedProfiles in the README).
  demo=(--Demo:SeedProfiles="${DEMO_PROFILES:-10000}")
else
  ensure_prerequisites
fi

port="${PORT:-5080}"
url="http://127.0.0.1:${port}"
echo "Building SegmentExport..."
dotnet build src/SegmentExport.Web -c Release -nologo -v quiet
echo "SegmentExport is starting at ${url} (Ctrl+C stops it; data is kept in $(pwd)/.data)"
export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
data="$(pwd)/.data"
# exec the app itself (not "dotnet run"), so Ctrl+C and SIGTERM reach it and it stops its database.
cd src/SegmentExport.Web
exec dotnet bin/Release/net10.0/SegmentExport.Web.dll --urls "${url}" --App:DataDirectory="${data}" "${demo[@]}"
