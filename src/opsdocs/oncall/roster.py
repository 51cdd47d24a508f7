"""Every team's on-call spec in the workspace, read from the on-call documents.

Each ``on-call-{team}.md`` (and an ``on-call.md`` holding several teams) is validated against
:class:`~opsdocs.oncall.spec.OnCallSection`; what the model cannot see alone (an escalation level
naming a rotation that does not exist, a level escalating to itself, levels paged out of order) is
checked here, across documents. The first problem is a :class:`DocumentError` at its key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from opsdocs.diagnostics import Diagnostic
from opsdocs.errors import DocumentError

if TYPE_CHECKING:
    from opsdocs.documents.parse import Document
    from opsdocs.oncall.spec import OnCallSection, Rotation, Team
    from opsdocs.workspace import Workspace

__all__ = [
    "ONE_FILE",
    "Roster",
    "TeamSource",
    "collect_roster",
    "load_roster",
    "policy_problems",
    "roster_from_documents",
    "split_hint",
]

#: The one-file form: every team's schedule in ``on-call.md``.
ONE_FILE = "on-call.md"
_HINT = "see docs/oncall.md for the schedule keys"


@dataclass(frozen=True)
class TeamSource:
    """A team's spec and where it is written (for positions in messages)."""

    team: Team
    path: str
    index: int  # position in the document's 'teams'
    doc: Document

    def position(self, *keys: str | int) -> tuple[int, int]:
        return self.doc.position(("teams", self.index, *keys))


@dataclass
class Roster:
    """Teams by name, in document order."""

    teams: dict[str, TeamSource] = field(default_factory=dict)

    def team(self, name: str) -> Team:
        return self.teams[name].team

    def names(self) -> list[str]:
        return list(self.teams)

    def resolve(self, ref: str, team: str) -> tuple[str, Rotation] | None:
        """The (team, rotation) a level's ``rotation`` reference names, or None."""
        owner, _, name = ref.rpartition("/")
        owner = owner or team
        source = self.teams.get(owner)
        if source is None:
            return None
        found = source.team.rotation(name)
        return (owner, found) if found is not None else None

    def select(self, team: str | None) -> list[str]:
        """Names of the teams ``--team`` selects (all without it); UsageError when unknown."""
        if team is None:
            return self.names()
        if team not in self.teams:
            from opsdocs.errors import UsageError

            known = ", ".join(self.names()) or "none"
            raise UsageError(f"unknown team {team!r}", hint=f"teams with a schedule: {known}")
        return [team]


def _message(error: Any) -> tuple[str, str | None]:
    kind = error["type"]
    msg = str(error["msg"]).removeprefix("Value error, ")
    if kind == "extra_forbidden":
        return "unknown key", _HINT
    if kind == "missing":
        return "required key is missing", _HINT
    if kind == "string_pattern_mismatch":
        return f"{msg} (got {error.get('input')!r})", "use letters, digits and hyphens"
    if kind == "too_short" and error["loc"] and error["loc"][-1] == "rotations":
        return "a team needs at least one rotation", _HINT
    return split_hint(msg)


def split_hint(message: str) -> tuple[str, str | None]:
    """Our validators write 'what; how to fix': the two halves, for a one-line error."""
    what, sep, how = message.partition("; ")
    return (what, how) if sep else (message, None)


def _team_problems(team: Team, index: int) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    base: tuple[str | int, ...] = ("teams", index)
    previous: str | None = None
    last_delay = None
    for number, level in enumerate(team.escalation):
        where = (*base, "escalation", number)
        if level.person is None and not level.rotations:
            problems.append(
                Diagnostic(
                    key_path=where,
                    message="the level pages nobody",
                    hint="give it 'rotation' or 'person'",
                )
            )
            continue
        for ref in level.rotations:
            if "/" not in ref and team.rotation(ref) is None:
                known = ", ".join(r.name for r in team.rotations)
                problems.append(
                    Diagnostic(
                        key_path=(*where, "rotation"),
                        message=f"no rotation {ref!r} in team {team.name!r}",
                        hint=f"use one of {known}, or 'team/rotation' for another team's",
                    )
                )
        target = level.target(team.name)
        if target == previous:
            problems.append(
                Diagnostic(
                    key_path=where,
                    message=f"level {number + 1} escalates to itself: it pages the same "
                    f"{'person' if level.person else 'rotation'} as level {number}",
                    hint="escalate to someone else, or remove the level",
                )
            )
        if last_delay is not None and level.delay <= last_delay:
            problems.append(
                Diagnostic(
                    key_path=(*where, "after"),
                    message=(
                        f"level {number + 1} is paged at {level.after}, not after level {number}"
                    ),
                    hint="give each level a later 'after' than the one before",
                )
            )
        previous, last_delay = target, level.delay
    return problems


def _checked(doc: Document) -> tuple[OnCallSection | None, list[Diagnostic]]:
    """The document's teams and what is wrong with them: the schema's complaints (and no
    section), or the escalation policies' problems."""
    data = doc.front_matter
    if not isinstance(data, dict):
        return None, []
    from opsdocs.oncall.spec import OnCallSection
    from opsdocs.validators import validate_spec

    section, problems = validate_spec(OnCallSection, data, _message)
    if section is not None:
        problems = [p for i, team in enumerate(section.teams) for p in _team_problems(team, i)]
    return section, problems


def policy_problems(doc: Document) -> list[Diagnostic]:
    """What is wrong with the escalation policies of a document whose keys are valid (the
    schema's own complaints are left to the front-matter check)."""
    section, problems = _checked(doc)
    return problems if section is not None else []


def _raise(doc: Document, problem: Diagnostic) -> DocumentError:
    key = ".".join(f"[{p}]" if isinstance(p, int) else p for p in problem.key_path).replace(
        ".[", "["
    )
    text = f"{key}: {problem.message}" if key else problem.message
    return DocumentError.at(doc, problem.key_path, text, hint=problem.hint or _HINT)


def collect_roster(
    docs: list[Document], *, label: Callable[[Path], str] = str
) -> tuple[Roster, list[tuple[Document, Diagnostic]]]:
    """The teams of ``docs`` that are valid, and the problems of the others (a document with a
    problem contributes no team; a level naming a rotation no team has is a problem too)."""
    roster = Roster()
    problems: list[tuple[Document, Diagnostic]] = []
    for doc in docs:
        section, found = _checked(doc)
        if section is None or found:
            problems.extend((doc, p) for p in found)
            continue
        for index, team in enumerate(section.teams):
            if team.name in roster.teams:
                problems.append(
                    (
                        doc,
                        Diagnostic(
                            key_path=("teams", index, "name"),
                            message=f"team {team.name!r} already has a schedule in "
                            f"{roster.teams[team.name].path}",
                            hint="keep one schedule per team",
                        ),
                    )
                )
                continue
            roster.teams[team.name] = TeamSource(team, label(doc.path), index, doc)
    for name, source in list(roster.teams.items()):
        for number, level in enumerate(source.team.escalation):
            for ref in level.rotations:
                if "/" in ref and roster.resolve(ref, name) is None:
                    problems.append(
                        (
                            source.doc,
                            Diagnostic(
                                key_path=("teams", source.index, "escalation", number, "rotation"),
                                message=(
                                    f"no rotation {ref!r}: no team or rotation of that name"
                                    " has a schedule"
                                ),
                                hint="name a rotation of a team with an on-call document",
                            ),
                        )
                    )
    return roster, problems


def roster_from_documents(docs: list[Document], *, label: Callable[[Path], str] = str) -> Roster:
    """The teams of ``docs``; DocumentError at the first problem (cross-document references
    included)."""
    for doc in docs:
        doc.require_front_matter()
    roster, problems = collect_roster(docs, label=label)
    if problems:
        doc, problem = problems[0]
        raise _raise(doc, problem)
    return roster


def load_roster(workspace: Workspace) -> Roster:
    """Every team's schedule in the workspace (an empty roster without on-call documents)."""
    from opsdocs.documents.folder import read_documents

    # on-call-{team}.md and on-call.md (the kind accepts both), in name order
    return roster_from_documents(read_documents(workspace, "on-call"), label=workspace.relative)
