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

[oncall]
holidays = [2026-11-26, 2026-12-25]
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
# Seven weeks of the cloud bill as a FOCUS export (October and November up to the 19th).
step python "$here/scripts/demo_billing.py" billing
# Ten weeks of the database's disk and connection readings (5-minute CSV) for its capacity plan.
step python "$here/scripts/demo_capacity.py" metrics

# The SLO documents compile to Prometheus rules and promtool unit tests...
step opsdocs slo rules --out rules --tests
if command -v promtool >/dev/null 2>&1; then
  step promtool check rules rules/slo-api-availability.yaml rules/slo-search-latency.yaml
  printf '\n(promtool test rules rules/*.test.yaml replays each alert at its threshold: ~4 s an SLO)\n'
fi
# ...and measure themselves against the logs, writing the status into each document.
step opsdocs slo report --at "$AT" --write --chart charts --png
# The cost document's budgets against the bill: month to date, forecast, the day the search
# reindex quadrupled its spend, the untagged networking, the API's cost per million requests
# (the requests the availability SLO counts in the same logs), written into the document. The
# search forecast is over its budget and two days are anomalous: findings (exit 1).
step opsdocs cost report --month 2026-11 --write --chart charts || true
# When does the database disk cross 80 %? The forecast (trend, nightly backups, busier weekdays)
# says inside the six-week lead time of the bigger volume: order now (exit 1). Connections swing
# with the day but do not grow: flat. The backtest says how far to trust the dates.
step opsdocs capacity report --at "$AT" --write --chart charts || true
step opsdocs capacity backtest database --at "$AT"
# The linter keeps all of it true.
step opsdocs check --today 2026-11-20

# On-call as data: who is on call at each escalation level, the shifts (Berlin across DST, Search
# following the sun from New York to Bangalore), the calendar file, holes and load, and the
# Alertmanager routing that pages those people, proven with amtool.
step opsdocs oncall who --at "$AT"
step opsdocs oncall schedule --from 2026-11-16 --to 2026-11-29 --team team-api --zone Europe/Berlin
step opsdocs oncall schedule --from 2026-11-01 --to 2026-12-31 --format ics --out oncall.ics
head -n 16 oncall.ics
step opsdocs oncall gaps --from 2026-11-02 --to 2026-11-30
# New York moves to summer time on 2027-03-14; Bangalore does not: an hour a night is nobody's.
step opsdocs oncall gaps --from 2027-03-12 --to 2027-03-17 --team team-search || true
step opsdocs oncall report --from 2026-11-01 --to 2026-11-30
if command -v amtool >/dev/null 2>&1; then
  step opsdocs oncall alertmanager --out alertmanager.yml --tests
  step amtool check-config alertmanager.yml
else
  step opsdocs oncall alertmanager --out alertmanager.yml
fi
step opsdocs oncall routes --config alertmanager.yml

# Monitoring and alerting: the alert catalogue (the hand-written rules and the SLOs' burn-rate
# alerts) held against the runbooks. One runbook_url points at a section that was renamed.
mkdir -p alerts && cp "$examples"/alerts/*.yaml alerts/
cat >> opsdocs.toml <<'TOML'

[monitoring]
rule_files = ["alerts/*.yaml"]

[slo]
docs_base_url = "https://docs.example.com/ops/"
TOML
step opsdocs alerts list
step opsdocs alerts check || true

# The playbook drives an incident: what to do at P1, a UTC timeline, milestones, the error budget
# the incident burnt (measured from the same logs), then the postmortem and the metrics.
ID=checkout-returns-5xx
step opsdocs incident open --severity P1 --service api-server \
  --started 2026-11-18T14:05:00Z --at 2026-11-18T14:09:00Z "Checkout returns 5xx"
step opsdocs incident ack "$ID" --by alice --at 2026-11-18T14:12:00Z
step opsdocs incident assign "$ID" communications-lead bob --at 2026-11-18T14:14:00Z
step opsdocs incident log "$ID" "Deploy 2026.11.18-3 went out at 14:03; rolling it back" \
  --at 2026-11-18T14:21:00Z
step opsdocs incident mitigate "$ID" "Rollback complete, 5xx rate back to baseline" \
  --at 2026-11-18T14:47:00Z
step opsdocs incident resolve "$ID" "Connection-pool limit restored in the api-server config" \
  --at 2026-11-18T15:30:00Z
step opsdocs incident postmortem "$ID"
step opsdocs incident stats --today 2026-11-20
step opsdocs index

# What is left for the postmortem's author: the linter lists it until it is written.
step opsdocs check --today 2026-11-20 --select CT docs/internal/operations/postmortems || true
# DR/BCP: the plan's recovery objectives held against what the backup jobs reported. The search
# snapshots have failed since 20:00 yesterday: its 1-hour RPO is missed (exit 1), and the evidence
# an auditor asks for is kept in the plan.
step python "$here/scripts/demo_backups.py" evidence/backups.csv
cat >> opsdocs.toml <<'TOML'

[dr]
evidence = ["evidence/*.csv"]
TOML
step opsdocs dr status --at "$AT" || true
step opsdocs dr status --at "$AT" --write --format markdown || true
# A restore drill of the database, recorded with its achieved RTO and RPO against the objectives.
step opsdocs dr drill database --started 2026-11-17T09:00:00Z --restored 2026-11-17T09:52:00Z \
  --data-as-of 2026-11-17T08:57:00Z --notes "Restored last night's base backup and replayed WAL"
step opsdocs check --today 2026-11-20 --select DR || true
step opsdocs list

# The ops portal: everything above as one static site (open it from the file system, no server).
step opsdocs site build --out site --today 2026-11-20
printf '\nThe workspace is in %s\n' "$(pwd)"
printf 'Open the ops portal: file://%s/site/index.html (or: opsdocs site serve)\n' "$(pwd)"
