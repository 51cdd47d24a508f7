#!/usr/bin/env bash
# The main job on an embedded example: a fresh operations workspace under $1 (default ./demo).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
target="${1:-demo}"
examples="$here/examples/demo"

rm -rf "$target"
mkdir -p "$target"
cd "$target"
git init -q .
cat > opsdocs.toml <<'TOML'
owners = ["team-api", "team-search", "team-data", "team-sre"]
review_every = "90d"
TOML

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

step opsdocs init
step opsdocs new runbook api-server --owner team-api --title "API Server Runbook"
step opsdocs new runbook search --owner team-search --title "Search Runbook"
step opsdocs new runbook database --owner team-data --title "Database Runbook"
step opsdocs new slo api-availability --service api-server --owner team-api --title "API Availability"
step opsdocs new slo search-latency --service search --owner team-search --title "Search Latency"
step opsdocs new incident-response --owner team-sre
step opsdocs new disaster-recovery --owner team-sre

# Fill the scaffolds with the realistic content of the embedded example.
if [ -d "$examples" ]; then
  cp "$examples"/*.md docs/internal/operations/
  step opsdocs index
fi
step opsdocs list
printf '\nThe workspace is in %s\n' "$(pwd)"
