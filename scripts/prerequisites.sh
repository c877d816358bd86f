#!/usr/bin/env bash
# Checks (and, as root on Debian, installs) what SegmentExport needs besides the .NET 10 SDK.
# Sourced by run.sh and test.sh. Usage: ensure_prerequisites [postgres] [chromium]
set -euo pipefail

have_postgres_server() {
  command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1 && return 0
  compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null
}

apt_install() {
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing $* with apt-get..." >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  else
    echo "Missing: $*. Install it with: sudo apt-get install -y $*" >&2
    exit 1
  fi
}

ensure_prerequisites() {
  if ! command -v dotnet >/dev/null 2>&1; then
    echo "The .NET 10 SDK is missing: install it from https://dotnet.microsoft.com/download/dotnet/10.0 (dotnet-sdk-10.0)." >&2
    exit 1
  fi
  for need in "$@"; do
    case "$need" in
      postgres) have_postgres_server || apt_install postgresql ;;
      chromium) [ -x /usr/bin/chromium ] || apt_install chromium ;;
    esac
  done
}
