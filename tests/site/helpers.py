"""A small operations workspace for the portal tests, and a walker over the built site."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from tests.conftest import build_tree

OPS = "docs/internal/operations"

RUNBOOK = """\
---
kind: runbook
title: API Server Runbook
owner: team-api
service: api-server
tier: 1
last_reviewed: 2026-10-14
review_every: 90d
---

# API Server Runbook

## Service Overview

The api-server answers every request of the web app. See the [SLO](slo-api.md#objectives) and
the [database runbook](runbook-database.md). A [missing page](nowhere.md) stays text.

## SLOs / SLIs

- [API availability](slo-api.md)

## Dashboards & Alerts

| Alert | Meaning |
| --- | --- |
| `APIHighErrorRate` | 5xx above 2% |

## Common Failures & Diagnostics

### Pods OOMKilled

```bash
kubectl -n api get pods -l app=api-server
```

## Step-by-step Procedures

Restart the flamingo deployment when nothing else helps.

## Escalation & Ownership

team-api.

## DR / Backup / Restore

See the DR plan.
"""

RUNBOOK_DB = """\
---
kind: runbook
title: Database Runbook
owner: team-data
last_reviewed: 2025-01-01
review_every: 90d
---

# Database Runbook

## Service Overview

PostgreSQL. Back to the [API runbook](runbook-api-server.md#pods-oomkilled).
"""

SLO = """\
---
kind: slo
title: API Availability
owner: team-api
service: api-server
last_reviewed: 2026-10-14
review_every: 90d
---

# API Availability

## Objectives

99.9 %.

## Measurement

<!-- opsdocs:report:start -->
_Measured by `opsdocs slo report` from logs at 2026-11-20T12:00:00Z._

| SLO | Status | Objective | SLI | Budget remaining | Burn 1h | Exhaustion |
|---|---|---|---|---|---|---|
| availability (30d) | healthy | 99.9 % | 99.9493 % | 49.3 % (21.3 min) | 1.73× | — |

- availability: good/total events per window: 1h 576/577.
  Budget chart: [availability](../../../charts/api.svg).
<!-- opsdocs:report:end -->
"""

ONCALL = """\
---
kind: on-call
title: API On-Call
owner: team-api
last_reviewed: 2026-11-01
review_every: 90d
teams:
  - name: team-api
    rotations:
      - name: primary
        members: [alice, bob]
        zone: Europe/Berlin
        start: 2026-10-05
        handoff: "09:00"
        length: weekly
    escalation:
      - rotation: primary
---

# API On-Call
"""

INCIDENT = """\
---
kind: incident
id: 2026-11-18-checkout-returns-5xx
title: Checkout returns 5xx
owner: team-api
severity: P1
status: active
services: [api-server]
milestones:
  started: '2026-11-18T14:05:00Z'
---

# Checkout returns 5xx

## Timeline

- 2026-11-18T14:05:00Z — Impact started
- 2026-11-18T14:21:00Z — Rolling back deploy 2026.11.18-3
"""

CHART = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" role="img">'
    '<rect width="10" height="10"/></svg>'
)


def portal_workspace(root: Path, **extra: str) -> Path:
    """A workspace with a runbook, an SLO with its status block and chart, an on-call
    schedule and an open incident; ``extra`` adds files (relative path -> text)."""
    return build_tree(
        root,
        {
            "opsdocs.toml": 'owners = ["team-api", "team-data"]\n',
            f"{OPS}/runbook-api-server.md": RUNBOOK,
            f"{OPS}/runbook-database.md": RUNBOOK_DB,
            f"{OPS}/slo-api.md": SLO,
            f"{OPS}/on-call-team-api.md": ONCALL,
            f"{OPS}/incidents/2026-11-18-checkout-returns-5xx.md": INCIDENT,
            "charts/api.svg": CHART,
            **extra,
        },
    )


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(str(values["id"]))
        for name in ("href", "src"):
            value = values.get(name)
            if value is not None:
                self.refs.append((tag, value))


def site_links(out: Path) -> dict[Path, _Links]:
    """Every HTML page of the site and what it links."""
    found = {}
    for page in sorted(out.rglob("*.html")):
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        found[page] = parser
    return found


def broken_links(out: Path) -> list[str]:
    """Internal links (and anchors) of the site that lead nowhere; absolute or root links."""
    pages = site_links(out)
    problems = []
    for page, parser in pages.items():
        for tag, ref in parser.refs:
            parts = urlsplit(ref)
            if parts.scheme in ("http", "https", "mailto"):
                if tag in ("img", "script", "link"):
                    problems.append(f"{page}: {ref} is a request to another host")
                continue
            if parts.scheme or ref.startswith("/"):
                problems.append(f"{page}: {ref} is not relative")
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if not target.is_file():
                problems.append(f"{page}: {ref} leads to no file")
                continue
            if parts.fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else set()
                if parts.fragment not in ids:
                    problems.append(f"{page}: {ref} names no anchor of {target.name}")
    return problems


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
