"""``opsdocs site build``: the page set, relative links that resolve, GitHub's anchors, the
status the reports wrote, banners, and a folder that is never clobbered."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Result, build_tree
from tests.site.helpers import OPS, broken_links, portal_workspace, text_of

TODAY = ("--today", "2026-11-20", "--at", "2026-11-20T12:00:00Z")


def _build(cli: Callable[..., Result], root: Path, *args: str) -> Result:
    result = cli("site", "build", *TODAY, *args, cwd=root)
    assert result.exit_code == 0, result.stderr
    return result


def test_build_writes_every_page_and_says_where(tmp_path: Path, cli: Callable[..., Result]) -> None:
    portal_workspace(tmp_path)
    result = _build(cli, tmp_path)
    out = tmp_path / "site"
    pages = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html"))
    assert pages == [
        "docs/incidents/2026-11-18-checkout-returns-5xx.html",
        "docs/on-call-team-api.html",
        "docs/runbook-api-server.html",
        "docs/runbook-database.html",
        "docs/slo-api.html",
        "documents.html",
        "findings.html",
        "incidents.html",
        "index.html",
        "oncall.html",
        "search.html",
        "services/api-server.html",
        "services/database.html",
    ]
    assert (out / "files/charts/api.svg").is_file()
    assert result.stdout.endswith("Open site/index.html\n")


def test_every_link_is_relative_and_resolves(tmp_path: Path, cli: Callable[..., Result]) -> None:
    portal_workspace(tmp_path)
    _build(cli, tmp_path)
    assert broken_links(tmp_path / "site") == []


def test_headings_carry_githubs_anchors_and_links_follow_them(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    portal_workspace(tmp_path)
    _build(cli, tmp_path)
    html = (tmp_path / "site/docs/runbook-api-server.html").read_text()
    for anchor in ("slos--slis", "dashboards--alerts", "common-failures--diagnostics"):
        assert f'id="{anchor}"' in html
    assert 'href="slo-api.html#objectives"' in html
    db = (tmp_path / "site/docs/runbook-database.html").read_text()
    assert 'href="runbook-api-server.html#pods-oomkilled"' in db
    # a link to a page that does not exist stays text, so no link on the site is broken
    assert (
        '<span class="dead-link" title="not on this site: nowhere.md">missing page</span>' in html
    )


def test_code_is_highlighted_offline_and_tables_scroll_in_their_box(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    portal_workspace(tmp_path)
    _build(cli, tmp_path)
    html = (tmp_path / "site/docs/runbook-api-server.html").read_text()
    # the code box takes keyboard focus, so it can be scrolled without a mouse
    assert '<pre class="hl" tabindex="0"><code class="language-bash">' in html
    assert '<div class="scroll"><table>' in html
    css = (tmp_path / "site/assets/site.css").read_text()
    assert ".hl .nb" in css and "prefers-color-scheme: dark" in css


def test_home_shows_services_with_owner_status_budget_and_open_incidents(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    portal_workspace(tmp_path)
    _build(cli, tmp_path)
    home = (tmp_path / "site/index.html").read_text()
    text = text_of(home)
    assert "api-server tier 1 team-api" in text
    assert "availability: healthy" in text
    assert "49.3 % (21.3 min)" in text
    assert 'data-oncall-primary="team-api"' in home
    assert "Checkout returns 5xx" in text
    # no DR plan, no capacity or cost documents: those areas are left out, not shown empty
    assert "Disaster recovery" not in text
    assert "Capacity" not in text and "Cost" not in text


def test_service_page_joins_runbook_slo_chart_oncall_and_incidents(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    portal_workspace(tmp_path)
    _build(cli, tmp_path)
    html = (tmp_path / "site/services/api-server.html").read_text()
    assert '<a href="../docs/runbook-api-server.html#service-overview">Service Overview</a>' in html
    assert '<img src="../files/charts/api.svg" alt="Error budget of api-server/availability' in html
    assert 'data-oncall-now="team-api"' in html
    assert '<a href="../docs/incidents/2026-11-18-checkout-returns-5xx.html">' in html


def test_overdue_review_and_check_errors_are_banners(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    portal_workspace(tmp_path)
    _build(cli, tmp_path)
    html = text_of((tmp_path / "site/docs/runbook-database.html").read_text())
    assert "Review overdue. The review was due on 2025-04-01." in html
    assert "opsdocs check reports" in html  # the runbook misses required sections
    fresh = text_of((tmp_path / "site/docs/runbook-api-server.html").read_text())
    assert "Review overdue" not in fresh


def test_a_review_due_past_the_calendars_end_is_no_review_date(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    build_tree(
        tmp_path,
        {
            f"{OPS}/runbook-api.md": "---\nkind: runbook\ntitle: Api\nowner: team-api\n"
            "last_reviewed: 9999-12-31\n---\n\n# Api\n"
        },
    )
    _build(cli, tmp_path, "--no-check")  # the build used to fail here (exit 3)
    html = text_of((tmp_path / "site/docs/runbook-api.html").read_text())
    assert "Last reviewed 9999-12-31" in html
    assert "Next review" not in html and "Review overdue" not in html


def test_oncall_data_is_shifts_in_utc_milliseconds(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    portal_workspace(tmp_path)
    _build(cli, tmp_path)
    script = (tmp_path / "site/assets/oncall-data.js").read_text()
    data = json.loads(script.removeprefix("window.OPSDOCS_ONCALL = ").rstrip(";\n"))
    (team,) = data["teams"]
    shifts = team["levels"][0]["shifts"]
    # 09:00 Berlin is 08:00 UTC in winter: the handoff of Monday 2026-11-16
    assert [1794816000000, 1795420800000, "alice", "primary"] in shifts
    # and 07:00 UTC in summer (2027-03-29, after the change to summer time)
    assert any(s[0] == 1806303600000 for s in shifts)


def test_search_index_holds_titles_headings_and_words(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    portal_workspace(tmp_path)
    _build(cli, tmp_path)
    script = (tmp_path / "site/assets/search-index.js").read_text()
    entries = json.loads(script.removeprefix("window.OPSDOCS_SEARCH = ").rstrip(";\n"))
    runbook = next(e for e in entries if e["u"] == "docs/runbook-api-server.html")
    assert runbook["t"] == "API Server Runbook"
    assert ["Pods OOMKilled", "pods-oomkilled"] in runbook["h"]
    assert "flamingo" in runbook["w"].split()


def test_a_folder_that_is_not_a_site_is_never_replaced(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    portal_workspace(tmp_path)
    build_tree(tmp_path, {"site/notes.txt": "mine"})
    result = cli("site", "build", *TODAY, cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr == (
        "error: site is not empty and is not a site opsdocs built (pass a new or empty folder"
        " with --out, or remove it first)\n"
    )
    assert (tmp_path / "site/notes.txt").read_text() == "mine"


def test_a_second_build_replaces_the_first(tmp_path: Path, cli: Callable[..., Result]) -> None:
    portal_workspace(tmp_path)
    _build(cli, tmp_path)
    (tmp_path / OPS / "runbook-database.md").unlink()
    _build(cli, tmp_path)
    assert not (tmp_path / "site/docs/runbook-database.html").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site")]


DR_PLAN = """\
---
kind: disaster-recovery
title: DR Plan
owner: team-sre
last_reviewed: 2026-11-01
review_every: 90d
systems:
  - name: api-server
    tier: 1
    rto: 30m
    rpo: 5m
---

# DR Plan

## Backup Strategy

<!-- opsdocs:dr-status:start -->
| System | Job | Last good backup | RPO met |
|---|---|---|---|
| api-server | pg-nightly | 2026-11-20T01:00:00Z | no |
<!-- opsdocs:dr-status:end -->
"""

COST = """\
---
kind: cost
title: API Cost
owner: team-api
service: api-server
last_reviewed: 2026-11-01
review_every: 90d
---

# API Cost

## Spend

<!-- opsdocs:cost:start -->
| Budget | Forecast | Variance |
|---|---|---|
| api-server | 12,400.00 USD | <script>x</script> +400.00 |

![daily spend](../../../charts/api.svg)
<!-- opsdocs:cost:end -->
"""


def test_status_blocks_the_features_wrote_show_on_home_and_service_pages(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    portal_workspace(
        tmp_path, **{f"{OPS}/disaster-recovery.md": DR_PLAN, f"{OPS}/cost-api.md": COST}
    )
    _build(cli, tmp_path)
    home = (tmp_path / "site/index.html").read_text()
    text = text_of(home)
    assert "Disaster recovery DR Plan : 1 system with recovery objectives" in text
    assert "api-server pg-nightly 2026-11-20T01:00:00Z no" in text
    assert "12,400.00 USD" in text
    assert "&lt;script&gt;x&lt;/script&gt; +400.00" in home  # escaped, as everywhere
    assert '<img src="files/charts/api.svg" alt="daily spend"' in home
    service = (tmp_path / "site/services/api-server.html").read_text()
    assert "12,400.00 USD" in text_of(service)
    assert '<img src="../files/charts/api.svg" alt="daily spend"' in service
    dr = text_of(service)
    assert "RTO 30m" in dr and "RPO 5m" in dr
    assert broken_links(tmp_path / "site") == []


def test_anchors_drop_inline_tags_as_github_does_and_repeat_with_a_suffix(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    doc = (
        "---\nkind: runbook\ntitle: Cache\nowner: team-api\n---\n\n# Cache\n\n"
        "## Restart <kbd>now</kbd>\n\n## FAQ\n\n## FAQ\n\n"
        "[restart](#restart-now) and [second](#faq-1)\n"
    )
    portal_workspace(tmp_path, **{f"{OPS}/runbook-cache.md": doc})
    _build(cli, tmp_path)
    html = (tmp_path / "site/docs/runbook-cache.html").read_text()
    # the tag is dropped from the anchor, its text kept (GitHub: #restart-now); shown escaped
    assert '<h2 id="restart-now">Restart &lt;kbd&gt;now&lt;/kbd&gt;</h2>' in html
    assert '<h2 id="faq">FAQ</h2>' in html and '<h2 id="faq-1">FAQ</h2>' in html
    assert '<a href="#restart-now">restart</a>' in html
    assert broken_links(tmp_path / "site") == []


def test_alerts_show_on_their_service_from_the_rule_files_check_cached(
    tmp_path: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.monitoring.helpers import record_rule_parses

    portal_workspace(
        tmp_path,
        **{
            "opsdocs.toml": 'owners = ["team-api"]\n\n[monitoring]\nrule_files = ["rules/*.yaml"]\n'
            "promtool = false\n",
            "rules/api.yaml": "groups:\n  - name: api\n    rules:\n      - alert: ApiDown\n"
            "        expr: up == 0\n        labels:\n          severity: critical\n"
            "          service: api-server\n        annotations:\n"
            "          summary: The API is down\n",
        },
    )
    cli("alerts", "check", cwd=tmp_path)  # parses the rule file into the check cache
    parsed = record_rule_parses(monkeypatch)
    _build(cli, tmp_path, "--no-check")
    html = (tmp_path / "site/services/api-server.html").read_text()
    assert "ApiDown" in html and "The API is down" in html
    assert parsed == []


def test_headings_in_quotes_are_neither_the_title_nor_sections_of_the_runbook(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    from tests.site.helpers import RUNBOOK

    runbook = RUNBOOK.replace("# API Server Runbook\n", "> # Quoted\n").replace(
        "team-api.\n", "team-api.\n\n> ## Impact\n>\n> quoted\n\n- ## Listed\n"
    )
    portal_workspace(tmp_path, **{f"{OPS}/runbook-api-server.md": runbook})
    _build(cli, tmp_path)
    html = (tmp_path / "site/docs/runbook-api-server.html").read_text()
    # the page has no title of its own: the portal writes one (the quoted H1 is not it)
    assert "<h1>API Server Runbook</h1>" in html
    assert '<h2 id="impact">Impact</h2>' in html  # still there, with GitHub's anchor
    service = (tmp_path / "site/services/api-server.html").read_text()
    assert "#escalation--ownership" in service
    assert "#impact" not in service and "#listed" not in service
