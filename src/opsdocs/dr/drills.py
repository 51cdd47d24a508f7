"""DR drills as records: one restore or failover test of a system, ``dr-drills/<date>-<system>.md``.

``opsdocs dr drill`` (and ``opsdocs dr verify``, after a real restore) writes one. The drill's
achieved RTO is ``restored - started`` and its achieved RPO ``started - data_as_of``; both are
held against the system's objectives in the plan at the time of the drill and written down with
them, so a later change of the plan does not rewrite history. Follow-up actions have the same
shape as a postmortem's (:class:`opsdocs.documents.schemas.ActionItem`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import AfterValidator, Field

from opsdocs.documents.schemas import ActionItem, FrontMatter
from opsdocs.dr.spec import Duration
from opsdocs.incidents.records import UtcTime, format_time
from opsdocs.records import json_dict, json_form
from opsdocs.validators import Strict

if TYPE_CHECKING:
    from opsdocs.dr.spec import DisasterRecoveryFrontMatter, System
    from opsdocs.workspace import Workspace

__all__ = [
    "DrillFrontMatter",
    "DrillResult",
    "VerifyRecord",
    "drill_name",
    "find_system",
    "record_drill",
    "verdict",
]

_SYSTEM = r"^[a-z0-9][a-z0-9._-]*$"


def _span(value: str) -> str:
    from opsdocs.durations import duration_seconds

    if value.strip() != "0s":
        duration_seconds(value)  # ValueError: "must be a duration such as ..."
    return value


#: An achieved time: a duration, or 0s.
Span = Annotated[str, AfterValidator(_span)]


class VerifyRecord(Strict):
    """What ``opsdocs dr verify`` restored and how it checked it."""

    job: str = Field(min_length=1, description="The backup job whose latest copy was restored.")
    snapshot: str = Field(min_length=1, description="The restic snapshot restored.")
    files: int = Field(ge=0, description="Regular files restored.")
    check: str = Field(min_length=1, description="How the copy was checked.")
    passed: bool = Field(description="Whether the check passed.")
    detail: str | None = Field(default=None, description="Why the check failed.")


class DrillFrontMatter(FrontMatter):
    """Front matter of a DR drill record."""

    # A drill is a record of an event, not a living document: no review cycle.
    last_reviewed: dt.date | None = Field(  # type: ignore[assignment]
        default=None, description="Not used for drills."
    )
    system: str = Field(pattern=_SYSTEM, description="The system drilled (a system of the plan).")
    test: Literal["restore", "failover"] = Field(
        default="restore", description="restore (from a backup) or failover."
    )
    method: Literal["manual", "verify"] = Field(
        default="manual",
        description="manual ('opsdocs dr drill'), or verify (a real restore by opsdocs).",
    )
    started: UtcTime = Field(description="When the drill started (UTC ISO 8601).")
    restored: UtcTime = Field(description="When the system was back (UTC ISO 8601).")
    data_as_of: UtcTime = Field(description="How recent the restored data is (UTC ISO 8601).")
    rto: Duration | None = Field(default=None, description="The system's RTO at the drill.")
    rpo: Duration | None = Field(default=None, description="The system's RPO at the drill.")
    achieved_rto: Span = Field(description="restored - started.")
    achieved_rpo: Span = Field(description="started - data_as_of.")
    result: Literal["pass", "fail"] = Field(description="pass: every objective set was met.")
    verify: VerifyRecord | None = Field(default=None, description="What 'dr verify' checked.")
    action_items: list[Annotated[ActionItem, Field()]] = Field(
        default_factory=list, description="Follow-ups with owner, due date and tracker link."
    )


@dataclass(frozen=True)
class DrillResult:
    """A recorded drill."""

    path: Path
    system: str
    started: dt.datetime
    achieved_rto: int  # seconds
    achieved_rpo: int  # seconds
    rto: int | None  # seconds; None: the system has no RTO
    rpo: int | None
    passed: bool
    verify: VerifyRecord | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def rto_met(self) -> bool | None:
        return None if self.rto is None else self.achieved_rto <= self.rto

    @property
    def rpo_met(self) -> bool | None:
        return None if self.rpo is None else self.achieved_rpo <= self.rpo

    JSON_FORM = json_form(
        "system",
        ("started", format_time),
        ("achieved_rto_seconds", "achieved_rto"),
        ("achieved_rpo_seconds", "achieved_rpo"),
        ("rto_seconds", "rto"),
        ("rpo_seconds", "rpo"),
        "rto_met",
        "rpo_met",
        ("result", "passed", lambda passed: "pass" if passed else "fail"),
        ("verify", lambda verify: verify.model_dump() if verify is not None else None),
    )

    def as_dict(self, root: Path | None = None) -> dict[str, Any]:
        path = self.path.relative_to(root).as_posix() if root is not None else str(self.path)
        return {"path": path, **json_dict(self, self.JSON_FORM)}


def find_system(plan: DisasterRecoveryFrontMatter, name: str) -> System:
    """The plan's system called ``name``; a UsageError naming the closest one otherwise."""
    import difflib

    from opsdocs.errors import UsageError

    for system in plan.systems:
        if system.name == name:
            return system
    names = [s.name for s in plan.systems]
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.5)
    if close:
        hint = f"did you mean {close[0]!r}?"
    elif names:
        hint = f"the plan's systems: {', '.join(names)}"
    else:
        hint = "list it under 'systems' in disaster-recovery.md"
    raise UsageError(f"no system {name!r} in the DR plan", hint=hint)


def drill_name(system: str) -> str:
    """The NAME part of a drill's file name for ``system`` (file names take no '.' or '_')."""
    return re.sub(r"[._-]+", "-", system).strip("-") or "system"


def _free_path(workspace: Workspace, system: str, day: dt.date) -> Path:
    from opsdocs.documents.kinds import get_kind

    kind = get_kind("dr-drill")
    folder = workspace.docs_dir / kind.folder
    return folder / kind.filename_for(kind.free_name(folder, drill_name(system), day), day)


def _actions(
    actions: Sequence[str], owners: Sequence[str], dues: Sequence[dt.date]
) -> list[dict[str, Any]]:
    """The follow-up actions: ``--owner`` and ``--due`` given once apply to every action, or
    once per action, in order."""
    from opsdocs.documents.inputs import check_line
    from opsdocs.errors import UsageError

    def spread(values: Sequence[Any], option: str) -> list[Any]:
        if not values:
            return [None] * len(actions)
        if not actions:
            raise UsageError(f"{option} needs --action", hint='e.g. --action "Fix X" ' + option)
        if len(values) == 1:
            return list(values) * len(actions)
        if len(values) != len(actions):
            raise UsageError(
                f"{len(values)} {option} for {len(actions)} --action",
                hint=f"give {option} once for every action, or once for all of them",
            )
        return list(values)

    items = []
    for what, owner, due in zip(
        actions, spread(owners, "--owner"), spread(dues, "--due"), strict=True
    ):
        item: dict[str, Any] = {"what": check_line(what.strip(), what="action", fold=True)}
        if not item["what"]:
            raise UsageError("an --action is empty", hint="say what will be done")
        if owner is not None:
            item["owner"] = check_line(owner.strip(), what="owner")
        if due is not None:
            item["due"] = due
        item["status"] = "open"
        items.append(ActionItem.model_validate(item).model_dump(exclude_none=True))
    return items


#: What may stand before a heading's marks on its line: indentation and the markers of the
#: quotes and list items it sits in.
_CONTAINERS = re.compile(r"(?:[ \t>]|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t]))*")


def _nest_headings(text: str, level: int = 3) -> str:
    """``text`` with its headings moved down so the shallowest is at ``level``, the outline kept.

    Notes written into a record's section must stay in it: a ``## Timeline`` (or a ``#``, or a
    setext heading, also inside a quote or a list) in them would start a section of its own, cut
    the record's section short and could repeat one of its names. A setext heading becomes an
    ATX one; code is left alone; nothing goes below level 6.
    """
    from markdown_it import MarkdownIt

    heads = [
        token
        for token in MarkdownIt("commonmark").parse(text)
        if token.type == "heading_open" and token.map is not None
    ]
    shift = max([0] + [level - int(token.tag[1]) for token in heads])
    if not shift:
        return text
    lines = text.split("\n")
    for token in reversed(heads):  # from the end: a setext heading takes fewer lines after
        assert token.map is not None
        start, end = token.map
        marks = "#" * min(6, int(token.tag[1]) + shift)
        lead = _CONTAINERS.match(lines[start])
        prefix = lines[start][: lead.end()] if lead else ""
        if token.markup.startswith("#"):
            lines[start] = prefix + marks + lines[start][len(prefix) :].lstrip("#")
        else:  # setext: the heading's lines, then the underline
            words = []
            for line in lines[start : end - 1]:
                inner = _CONTAINERS.match(line)
                words.append(line[inner.end() if inner else 0 :].strip())
            lines[start:end] = [f"{prefix}{marks} {' '.join(words)}"]
    return "\n".join(lines)


def verdict(met: bool | None) -> str:
    """How a drill did against one objective: met, MISSED, or no objective."""
    return {True: "met", False: "MISSED", None: "no objective"}[met]


def record_drill(
    workspace: Workspace,
    system: str,
    *,
    started: dt.datetime,
    restored: dt.datetime,
    data_as_of: dt.datetime,
    test: Literal["restore", "failover"] = "restore",
    notes: str | None = None,
    actions: Sequence[str] = (),
    owners: Sequence[str] = (),
    dues: Sequence[dt.date] = (),
    verify: VerifyRecord | None = None,
) -> DrillResult:
    """Write the record of one drill of ``system`` under ``dr-drills/``; returns what it found.

    Refuses (an OpsdocsError, nothing written) an unknown system, a drill that ends before it
    starts, data newer than the drill, and actions that do not line up with owners and dates.
    A drill passes when every objective the system has is met (and ``verify``'s check passed).
    """
    from opsdocs.documents.parse import parse_document
    from opsdocs.dr.spec import load_plan
    from opsdocs.durations import duration_seconds, format_duration
    from opsdocs.errors import InputError, UsageError
    from opsdocs.fileio import locked
    from opsdocs.incidents.records import format_time, template_source, write_record
    from opsdocs.yamlio import dump_yaml

    doc, plan = load_plan(workspace)
    target = find_system(plan, system)
    started, restored, data_as_of = (t.astimezone(dt.UTC) for t in (started, restored, data_as_of))
    if restored < started:
        raise UsageError(
            f"the drill ends before it starts: --restored {format_time(restored)} is before "
            f"--started {format_time(started)}",
            hint="give the time the system was back with --restored",
        )
    if data_as_of > started:
        raise UsageError(
            f"--data-as-of {format_time(data_as_of)} is after --started {format_time(started)}",
            hint="give the time of the newest data the restore brought back",
        )
    items = _actions(actions, owners, dues)
    if notes is not None:
        notes = _nest_headings(notes.strip())  # the notes' headings stay in 'What Was Done'
    achieved_rto = int((restored - started).total_seconds())
    achieved_rpo = int((started - data_as_of).total_seconds())
    result = DrillResult(
        path=_free_path(workspace, target.name, started.date()),
        system=target.name,
        started=started,
        achieved_rto=achieved_rto,
        achieved_rpo=achieved_rpo,
        rto=duration_seconds(target.rto) if target.rto else None,
        rpo=duration_seconds(target.rpo) if target.rpo else None,
        passed=False,
        verify=verify,
    )
    passed = result.rto_met is not False and result.rpo_met is not False
    if verify is not None and not verify.passed:
        passed = False
    what = "Restore" if test == "restore" else "Failover"
    title = f"{what} drill: {target.name}, {started.date().isoformat()}"
    owner = doc.get("owner")
    front: dict[str, Any] = {
        "kind": "dr-drill",
        "title": title,
        "owner": owner if isinstance(owner, str) else "team-unknown",
        "system": target.name,
        "test": test,
        "method": "verify" if verify is not None else "manual",
        "started": format_time(started),
        "restored": format_time(restored),
        "data_as_of": format_time(data_as_of),
        "rto": target.rto,
        "rpo": target.rpo,
        "achieved_rto": format_duration(achieved_rto),
        "achieved_rpo": format_duration(achieved_rpo),
        "result": "pass" if passed else "fail",
    }
    if verify is not None:
        front["verify"] = verify.model_dump(exclude_none=True)
    front["action_items"] = items
    front = {k: v for k, v in front.items() if v is not None}
    source, label = template_source(workspace, "dr-drill")
    from opsdocs.documents.render import render_template

    text = render_template(
        source,
        {
            **front,  # the title, system, test, result, times and achieved RTO and RPO
            "front_matter": dump_yaml(front).rstrip("\n"),
            "rto": target.rto or "none",
            "rpo": target.rpo or "none",
            "rto_verdict": verdict(result.rto_met),
            "rpo_verdict": verdict(result.rpo_met),
            "notes": notes or "",
            "verify": verify.model_dump() if verify is not None else None,
            "actions": items,
        },
        path=label,
    )
    from pydantic import ValidationError

    try:
        DrillFrontMatter.model_validate(parse_document(result.path, text).require_front_matter())
    except ValidationError as exc:
        raise InputError(
            f"the template renders to an invalid drill record: {exc.errors()[0]['msg']}",
            path=label,
            hint="keep '{{ front_matter }}' in the template's front matter",
        ) from None
    with locked(workspace.root, result.path):
        warnings = write_record(workspace, result.path, text, create=True)
    return replace(result, passed=passed, warnings=warnings)
