"""Stats over a generated history, checked against values computed here independently."""

from __future__ import annotations

import datetime as dt
import json
import random
import statistics
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from opsdocs.incidents.stats import compute_stats, percentile
from opsdocs.workspace import Workspace
from tests.conftest import Result, build_tree

OPS = "docs/internal/operations"
TODAY = dt.date(2025, 7, 1)


def _z(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _incident(n: int, rng: random.Random) -> tuple[str, str, dict[str, object]]:
    started = dt.datetime(2025, 1, 1, tzinfo=dt.UTC) + dt.timedelta(hours=rng.randrange(4000))
    severity = rng.choice(["P1", "P2", "P2", "P3"])
    services = rng.sample(["api-server", "search", "database"], rng.choice([1, 1, 2]))
    drill = rng.random() < 0.15
    marks: dict[str, dt.datetime | None] = {"started": started}
    marks["detected"] = started + dt.timedelta(seconds=rng.randrange(0, 1800))
    stage = rng.choice(["triage", "active", "resolved", "resolved", "resolved"])
    ack = mit = res = None
    if stage in ("active", "resolved"):
        ack = marks["detected"] + dt.timedelta(seconds=rng.randrange(30, 1200))
    if stage == "resolved":
        mit = ack + dt.timedelta(seconds=rng.randrange(60, 7200))
        res = mit + dt.timedelta(seconds=rng.randrange(0, 20000))
    marks.update(acknowledged=ack, mitigated=mit, resolved=res)
    ident = f"{started.date().isoformat()}-incident-{n}"
    lines = [
        "---",
        "kind: incident",
        f"id: {ident}",
        f"title: Incident {n}",
        "owner: team-sre",
        f"severity: {severity}",
        f"status: {stage}",
        f"services: [{', '.join(services)}]",
        f"drill: {str(drill).lower()}",
        "milestones:",
        *(f"  {k}: {_z(v) if v else 'null'}" for k, v in marks.items()),
    ]
    due = None
    if stage == "resolved" and severity != "P3":
        assert res is not None
        due = res.date() + dt.timedelta(days=3)
        lines.append(f"postmortem_due: {due.isoformat()}")
    lines += ["---", "", f"# Incident {n}", "", "## Timeline", ""]
    facts = {
        "severity": severity,
        "services": services,
        "drill": drill,
        "marks": marks,
        "due": due,
        "started": started,
    }
    return ident, "\n".join(lines) + "\n", facts


@pytest.fixture
def history(tmp_path: Path) -> tuple[Path, dict[str, dict[str, object]]]:
    rng = random.Random(20250701)
    files: dict[str, str] = {"opsdocs.toml": 'owners = ["team-sre"]\n'}
    facts: dict[str, dict[str, object]] = {}
    for n in range(60):
        ident, text, fact = _incident(n, rng)
        files[f"{OPS}/incidents/{ident}.md"] = text
        facts[ident] = fact
    # Postmortems for some resolved incidents: one reviewed, one draft with action items.
    with_due = sorted(i for i, f in facts.items() if f["due"] is not None and not f["drill"])
    reviewed, draft = with_due[0], with_due[1]
    files[f"{OPS}/postmortems/{reviewed}.md"] = _postmortem(reviewed, "Reviewed", [])
    files[f"{OPS}/postmortems/{draft}.md"] = _postmortem(
        draft,
        "Draft",
        [
            ("Add canary", "team-api", "2025-06-01", "open"),  # overdue
            ("Fix alert", "team-sre", "2025-06-02", "done"),  # done: not overdue
            ("Write runbook", None, "2025-08-01", "open"),  # not due yet
        ],
    )
    facts[reviewed]["pm"] = "Reviewed"
    facts[draft]["pm"] = "Draft"
    build_tree(tmp_path, files)
    return tmp_path, facts


def _postmortem(ident: str, status: str, items: list[tuple[str, str | None, str, str]]) -> str:
    lines = [
        "---",
        "kind: postmortem",
        f"title: Postmortem {ident}",
        "owner: team-sre",
        f"incident: {ident}",
        "severity: P1",
        f"status: {status}",
        "action_items:" + (" []" if not items else ""),
    ]
    for what, owner, due, state in items:
        lines.append(f"  - what: {what}")
        if owner:
            lines.append(f"    owner: {owner}")
        lines += [f"    due: {due}", f"    status: {state}"]
    return "\n".join([*lines, "---", "", f"# Postmortem {ident}", ""]) + "\n"


SPANS = {
    "detect": ("started", "detected"),
    "acknowledge": ("detected", "acknowledged"),
    "mitigate": ("started", "mitigated"),
    "resolve": ("started", "resolved"),
}


def _expected(facts: dict[str, dict[str, object]], keep: Callable[[dict[str, object]], bool]):  # type: ignore[no-untyped-def]
    chosen = {i: f for i, f in facts.items() if keep(f)}
    times = {}
    for metric, (a, b) in SPANS.items():
        values = []
        for fact in chosen.values():
            marks = fact["marks"]
            assert isinstance(marks, dict)
            if marks[a] is not None and marks[b] is not None:
                values.append((marks[b] - marks[a]).total_seconds())
        times[metric] = values
    return chosen, times


@pytest.mark.parametrize(
    ("filters", "keep"),
    [
        ({}, lambda f: not f["drill"]),
        ({"include_drills": True}, lambda f: True),
        ({"service": "search"}, lambda f: not f["drill"] and "search" in f["services"]),
        ({"severity": "p2"}, lambda f: not f["drill"] and f["severity"] == "P2"),
        (
            {"since": dt.date(2025, 3, 1)},
            lambda f: not f["drill"] and f["started"].date() >= dt.date(2025, 3, 1),
        ),
    ],
)
def test_stats_match_independent_computation(
    history: tuple[Path, dict[str, dict[str, object]]],
    filters: dict[str, object],
    keep: Callable[[dict[str, object]], bool],
) -> None:
    root, facts = history
    stats = compute_stats(Workspace.discover(root=root), today=TODAY, **filters)  # type: ignore[arg-type]
    chosen, times = _expected(facts, keep)
    assert stats.incidents == len(chosen)
    assert stats.by_severity == dict(
        sorted(Counter(str(f["severity"]) for f in chosen.values()).items())
    )
    services = Counter(s for f in chosen.values() for s in f["services"])  # type: ignore[attr-defined]
    assert stats.by_service == dict(services)
    for metric, values in times.items():
        summary = stats.times[metric]
        if not values:
            assert summary is None
            continue
        assert summary is not None
        assert summary.count == len(values)
        assert summary.median == pytest.approx(statistics.median(values))
        p90 = (
            statistics.quantiles(values, n=10, method="inclusive")[8]
            if len(values) > 1
            else values[0]
        )
        assert summary.p90 == pytest.approx(p90)
        assert summary.max == max(values)
        small = [w for w in stats.warnings if w.startswith(f"time to {metric}:")]
        assert bool(small) == (len(values) < 10)
    if not filters.get("include_drills"):
        drills = sum(1 for f in facts.values() if f["drill"] and keep({**f, "drill": False}))
        assert stats.drills_excluded == drills


def test_overdue_postmortems_and_action_items(
    history: tuple[Path, dict[str, dict[str, object]]],
) -> None:
    root, facts = history
    stats = compute_stats(Workspace.discover(root=root), today=TODAY)
    expected = sorted(
        i
        for i, f in facts.items()
        if not f["drill"]
        and f["due"] is not None
        and f["due"] < TODAY  # type: ignore[operator]
        and f.get("pm") not in ("Reviewed", "Closed")
    )
    assert sorted(pm.incident for pm in stats.overdue_postmortems) == expected
    assert [(a.what, a.owner, a.due) for a in stats.overdue_action_items] == [
        ("Add canary", "team-api", dt.date(2025, 6, 1))
    ]


@pytest.mark.parametrize(
    ("today", "code"),
    [
        (TODAY.isoformat(), 1),  # overdue postmortems and the open "Add canary" item
        ("2025-01-01", 0),  # before any incident: nothing is due yet
    ],
)
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_overdue_follow_ups_exit_1(
    history: tuple[Path, dict[str, dict[str, object]]],
    cli: Callable[..., Result],
    today: str,
    code: int,
    fmt: str,
) -> None:
    root, _ = history
    result = cli("incident", "stats", "--today", today, "--format", fmt, cwd=root)
    assert result.exit_code == code, result.stderr
    assert ("Overdue action items:" in result.stdout) == (code == 1 and fmt == "text")


def test_small_sample_warning_and_cli(tmp_path: Path, cli: Callable[..., Result]) -> None:
    (tmp_path / "opsdocs.toml").write_text('owners = ["team-sre"]\n')
    for n, minutes in enumerate((10, 20, 40)):
        day = f"2025-02-0{n + 1}"
        base = ["--at", f"{day}T10:00:00Z"]
        assert cli("incident", "open", "-s", "P2", f"Thing {n}", *base, cwd=tmp_path).exit_code == 0
        ident = f"{day}-thing-{n}"
        assert (
            cli("incident", "ack", ident, "--at", f"{day}T10:05:00Z", cwd=tmp_path).exit_code == 0
        )
        resolved = f"{day}T10:{minutes:02d}:00Z"
        assert cli("incident", "resolve", ident, "--at", resolved, cwd=tmp_path).exit_code == 0
    result = cli("incident", "stats", "--format", "json", cwd=tmp_path)
    data = json.loads(result.stdout)
    resolve = data["times"]["resolve"]
    assert resolve["count"] == 3
    assert resolve["median"] == 20 * 60
    assert resolve["max"] == 40 * 60
    # p90 of 10, 20, 40 minutes by linear interpolation: 20 + 0.8 * 20 = 36 minutes.
    assert resolve["p90"] == pytest.approx(36 * 60)
    text = cli("incident", "stats", cwd=tmp_path)
    assert "warning: time to resolve: only 3 incidents with both milestones" in text.stderr
    assert "resolve         3       20m       36m       40m" in text.stdout


def test_percentile_edges() -> None:
    assert percentile([5.0], 0.9) == 5.0
    assert percentile([1.0, 2.0], 0.5) == 1.5
    with pytest.raises(ValueError):
        percentile([], 0.5)


def test_unknown_severity_filter_is_refused(
    history: tuple[Path, dict[str, dict[str, object]]], cli: Callable[..., Result]
) -> None:
    root, _ = history
    for command in ("stats", "list"):
        result = cli("incident", command, "--severity", "P9", cwd=root)
        assert result.exit_code == 2
        assert result.stderr == (
            "error: unknown severity 'P9' (use one of P1, P2, P3 (from the default ladder (no incident-response.md yet)))\n"
        )
    bad_date = cli("incident", "stats", "--since", "last week", cwd=root)
    assert bad_date.exit_code == 2
    assert bad_date.stderr == "error: --since 'last week' is not a date (write it as YYYY-MM-DD)\n"


def test_the_json_forms_of_stats_and_rows_are_their_fields_with_dates_as_text(
    history: tuple[Path, dict[str, dict[str, object]]],
) -> None:
    from dataclasses import asdict, fields

    from opsdocs.incidents.stats import list_incidents

    root, _ = history
    workspace = Workspace.discover(root=root)
    stats = compute_stats(workspace, today=TODAY)
    data = stats.as_dict()
    assert list(data) == [f.name for f in fields(stats)]  # in the order of the fields
    [item] = stats.overdue_action_items
    assert data["overdue_action_items"] == [
        {
            "postmortem": item.postmortem,
            "what": "Add canary",
            "owner": "team-api",
            "due": "2025-06-01",
        }
    ]
    assert data["times"]["resolve"] == asdict(stats.times["resolve"])  # type: ignore[arg-type]
    # the same JSON as the records' fields, dates as ISO text
    assert json.dumps(data) == json.dumps(asdict(stats), default=str)
    rows, _ = list_incidents(workspace, now=dt.datetime(2025, 7, 1, tzinfo=dt.UTC))
    assert [row.as_dict() for row in rows] == [asdict(row) for row in rows]
    assert list(rows[0].as_dict()) == [f.name for f in fields(rows[0])]
