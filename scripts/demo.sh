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

# Fill the scaffolds with the realistic content of the embedded example: prose written by the
# teams, SLO specs in the SLO documents' front matter, a severity ladder in the playbook.
cp "$examples"/*.md docs/internal/operations/
step opsdocs index

# 31 days of request logs, ending 2026-11-20 12:00 UTC (the demo's "now").
AT=2026-11-20T12:00:00Z
step python "$here/scripts/demo_data.py" logs

# The SLO documents compile to Prometheus rules and promtool unit tests...
step opsdocs slo rules --out rules --tests
if command -v promtool >/dev/null 2>&1; then
  step promtool check rules rules/slo-api-availability.yaml rules/slo-search-latency.yaml
  printf '\n(promtool test rules rules/*.test.yaml replays each alert at its threshold: ~25 s an SLO)\n'
fi
# ...and measure themselves against the logs, writing the status into each document.
step opsdocs slo report --at "$AT" --write --chart charts
# The linter keeps all of it true.
step opsdocs check --today 2026-11-20
step opsdocs list
printf '\nThe workspace is in %s\n' "$(pwd)"
