"""The severity ladder and roles, as data in the incident-response playbook's front matter.

The playbook (``incident-response.md``) says, per severity: what it means (definition and
examples), who is paged, how fast someone must acknowledge, how often status updates go out, who
is told and how, the first steps of the response, and whether a postmortem is required and by
when. Everything else in opsdocs (``incident open``, ``resolve``, the postmortem due date, the
check rules) reads the ladder from here. A playbook without ``severities`` gets the default
ladder (P1, P2, P3), so playbooks written before the ladder existed stay valid.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from opsdocs.documents.folder import document_paths
from opsdocs.documents.schemas import FrontMatter
from opsdocs.durations import checked, duration_timedelta
from opsdocs.errors import UsageError
from opsdocs.validators import NAME, Strict

if TYPE_CHECKING:
    from opsdocs.documents.parse import Document
    from opsdocs.workspace import Workspace

__all__ = [
    "DEFAULT_ROLES",
    "DEFAULT_SEVERITIES",
    "ROLE_ALIASES",
    "IncidentResponseFrontMatter",
    "Notify",
    "Playbook",
    "PostmortemRule",
    "Role",
    "Severity",
    "closest",
    "load_playbook",
    "parse_due",
    "parse_span",
    "suggest",
    "usable_owner",
]

_SPAN = re.compile(r"^([1-9][0-9]*)\s*(s|m|h|d)$")
_DUE = re.compile(r"^([0-9]+)(?:\s*(?:(calendar|business)\s+)?days?|d)$")


def parse_span(value: str) -> dt.timedelta:
    """``"5m"``, ``"1h"``, ``"30s"`` or ``"2d"`` as a timedelta; ValueError for anything else."""
    if isinstance(value, str) and _SPAN.match(value.strip()):
        return duration_timedelta(value.replace(" ", ""))
    raise ValueError(f"must be a number and a unit s, m, h or d, such as '15m' (got {value!r})")


def parse_due(value: str) -> tuple[int, Literal["calendar", "business"]]:
    """``"3 calendar days"``, ``"5 business days"``, ``"3 days"`` or ``"3d"`` as (n, unit).

    Raises ValueError for anything else.
    """
    text = " ".join(value.split()).lower() if isinstance(value, str) else ""
    match = _DUE.match(text)
    if match is None:
        raise ValueError(
            "must be 'N calendar days' or 'N business days', such as '5 business days' "
            f"(got {value!r})"
        )
    unit: Literal["calendar", "business"] = (
        "business" if match.group(2) == "business" else "calendar"
    )
    return int(match.group(1)), unit


Span = Annotated[str, AfterValidator(checked(parse_span))]
DueRule = Annotated[str, AfterValidator(checked(parse_due))]


class Notify(Strict):
    """Someone to tell, and how."""

    who: str = Field(min_length=1, description="Audience, e.g. 'status page' or 'support leads'.")
    how: str = Field(min_length=1, description="Channel, e.g. 'statuspage.io' or '#incidents'.")


class PostmortemRule(Strict):
    required: bool = Field(description="Whether incidents of this severity need a postmortem.")
    due: DueRule | None = Field(
        default=None,
        description="When it is due after the incident is resolved: 'N calendar days' or "
        "'N business days' (Monday to Friday).",
    )

    @model_validator(mode="after")
    def _due_when_required(self) -> PostmortemRule:
        if self.required and self.due is None:
            raise ValueError("a required postmortem needs 'due' (e.g. '5 business days')")
        return self

    def due_date(self, resolved: dt.date) -> dt.date | None:
        """The date the postmortem is due for an incident resolved on ``resolved``."""
        if not self.required or self.due is None:
            return None
        count, unit = parse_due(self.due)
        if unit == "calendar":
            return resolved + dt.timedelta(days=count)
        day = resolved
        while count > 0:
            day += dt.timedelta(days=1)
            if day.weekday() < 5:
                count -= 1
        return day


class Severity(Strict):
    """One rung of the ladder."""

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$", description="'P1'.")
    definition: str = Field(min_length=1, description="What makes an incident this severe.")
    examples: list[str] = Field(default_factory=list, description="Typical incidents.")
    page: list[str] = Field(default_factory=list, description="Who is paged.")
    ack_within: Span = Field(description="Time-to-acknowledge target, e.g. '5m'.")
    update_every: Span | None = Field(
        default=None, description="Status-update cadence while the incident is open, e.g. '30m'."
    )
    notify: list[Notify] = Field(default_factory=list, description="Who is told, and how.")
    procedure: list[str] = Field(default_factory=list, description="First steps, in order.")
    postmortem: PostmortemRule = Field(description="Whether a postmortem is required and when.")

    @property
    def ack_target(self) -> dt.timedelta:
        return parse_span(self.ack_within)

    @property
    def update_cadence(self) -> dt.timedelta | None:
        return parse_span(self.update_every) if self.update_every else None


class Role(Strict):
    key: str = Field(pattern=NAME, description="Used in 'opsdocs incident assign KEY PERSON'.")
    title: str = Field(min_length=1, description="'Incident Commander'.")
    duty: str = Field(default="", description="What the role does during the incident.")


def _bundled_ladder() -> tuple[tuple[Severity, ...], tuple[Role, ...]]:
    """The ladder and roles of the bundled playbook template: written once, there, and what a
    playbook that defines none gets."""
    from opsdocs.documents.scaffold import bundled_template
    from opsdocs.yamlio import load_yaml

    text = bundled_template("incident-response-template.md")
    front_matter = load_yaml(text.split("---\n", 2)[1]).value
    return (
        tuple(Severity.model_validate(s) for s in front_matter["severities"]),
        tuple(Role.model_validate(r) for r in front_matter["roles"]),
    )


DEFAULT_SEVERITIES, DEFAULT_ROLES = _bundled_ladder()


def _unique(items: list[str], what: str) -> None:
    seen: set[str] = set()
    for item in items:
        if item.lower() in seen:
            raise ValueError(f"{what} {item!r} appears twice")
        seen.add(item.lower())


class IncidentResponseFrontMatter(FrontMatter):
    """The incident-response playbook: common keys plus the severity ladder and roles."""

    severities: list[Severity] = Field(
        default_factory=lambda: [s.model_copy(deep=True) for s in DEFAULT_SEVERITIES],
        min_length=1,
        description="The severity ladder, most severe first (default P1, P2, P3).",
    )
    roles: list[Role] = Field(
        default_factory=lambda: [r.model_copy(deep=True) for r in DEFAULT_ROLES],
        description="Incident roles (default commander, communications lead, scribe).",
    )

    @model_validator(mode="after")
    def _unique_names(self) -> IncidentResponseFrontMatter:
        _unique([s.name for s in self.severities], "severity")
        _unique([r.key for r in self.roles], "role")
        return self


#: Short names people type for the default roles.
ROLE_ALIASES: dict[str, str] = {
    "ic": "incident-commander",
    "commander": "incident-commander",
    "comms": "communications-lead",
    "communications": "communications-lead",
    "cl": "communications-lead",
    "notes": "scribe",
}


def _squash(name: str) -> str:
    """``name`` lowercased without separators: ``Sev-1`` and ``sev_1`` are ``sev1``."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _number(name: str) -> str | None:
    match = re.fullmatch(r"[a-z]*0*([0-9]+)", _squash(name))
    return match.group(1) if match else None


def closest(word: str, choices: list[str]) -> str | None:
    """The one of ``choices`` closest to ``word`` (without regard to case), if close enough."""
    import difflib

    wanted = word.strip().lower()
    best, score = None, 0.6  # below this, a "suggestion" is noise
    for choice in choices:  # on a tie the first (the most severe rung) wins
        ratio = difflib.SequenceMatcher(None, wanted, choice.lower()).ratio()
        if ratio > score or (best is None and ratio == score):
            best, score = choice, ratio
    return best


def suggest(word: str, choices: list[str]) -> str:
    """`` (did you mean 'X'?)`` for the closest of ``choices``, or an empty string."""
    best = closest(word, choices)
    return f" (did you mean {best!r}?)" if best is not None else ""


@dataclass
class Playbook:
    """The ladder and roles in force, and where they came from.

    ``warnings`` says what of the playbook could not be used (a ladder that does not validate
    falls back to the default one): incident commands print them and go on.
    """

    ladder: list[Severity] | None  # the playbook's own ladder (None: the default one applies)
    path: str | None  # the playbook's path (None: there is no playbook)
    roles: list[Role] = field(default_factory=lambda: list(DEFAULT_ROLES))
    owner: str | None = None  # the playbook's owner, when it names a real team
    warnings: list[str] = field(default_factory=list)

    @property
    def severities(self) -> list[Severity]:
        return self.ladder or list(DEFAULT_SEVERITIES)

    @property
    def source(self) -> str:
        """Where the ladder in force comes from, for people: the playbook's path, or why the
        default ladder applies."""
        if self.path is None:
            return "the default ladder (no incident-response.md yet)"
        if self.ladder is None:
            return f"the default ladder ({self.path} defines no severities)"
        return self.path

    @property
    def severity_names(self) -> list[str]:
        return [s.name for s in self.severities]

    def match_severity(self, name: str) -> tuple[Severity, str | None]:
        """The severity ``name`` means, and a note when it was read as an alias.

        Names match without regard to case or separators (``sev-1`` is ``SEV1``); failing
        that, a name ending in a number matches the one rung ending in the same number (``p1``
        is ``SEV1`` on a SEV ladder). UsageError, with the closest rung, for anything else.
        """
        wanted = name.strip()
        for severity in self.severities:
            if severity.name.lower() == wanted.lower():
                return severity, None
        by_squash = [s for s in self.severities if _squash(s.name) == _squash(wanted)]
        number = _number(wanted)
        by_number = [s for s in self.severities if number and _number(s.name) == number]
        for found in (by_squash, by_number):
            if len(found) == 1:
                return found[0], f"severity {wanted!r} read as {found[0].name} (from {self.source})"
        raise UsageError(
            f"unknown severity {name!r}{suggest(wanted, self.severity_names)}",
            hint=f"use one of {', '.join(self.severity_names)} (from {self.source})",
        )

    def severity(self, name: str) -> Severity:
        """The severity called ``name`` (see :meth:`match_severity`); UsageError when unknown."""
        return self.match_severity(name)[0]

    def find_severity(self, name: str) -> Severity | None:
        try:
            return self.severity(name)
        except UsageError:
            return None

    def role(self, key: str) -> Role:
        """The role ``key`` names: its key or title (any case), or an alias such as ``ic``."""
        wanted = key.strip().lower()
        wanted = ROLE_ALIASES.get(wanted, wanted)
        for role in self.roles:
            if wanted in (role.key, role.title.lower(), role.title.lower().replace(" ", "-")):
                return role
        initials = [r for r in self.roles if "".join(w[0] for w in r.key.split("-")) == wanted]
        if len(initials) == 1:
            return initials[0]
        keys = [r.key for r in self.roles]
        raise UsageError(
            f"unknown role {key!r}{suggest(wanted, keys)}", hint=f"use one of {', '.join(keys)}"
        )

    def rank(self, name: str) -> int:
        """0 for the most severe; unknown names sort last."""
        names = [n.lower() for n in self.severity_names]
        return names.index(name.lower()) if name.lower() in names else len(names)


def playbook_from_document(doc: Document) -> Playbook:
    """Validate a playbook document's front matter; DocumentError at the offending key."""
    from opsdocs.incidents.records import validate_front_matter

    model = validate_front_matter(
        doc, IncidentResponseFrontMatter, hint="see docs/incidents.md for the severity ladder"
    )
    ladder = model.severities if "severities" in (doc.front_matter or {}) else None
    return Playbook(ladder, str(doc.path), model.roles)


def load_playbook(workspace: Workspace) -> Playbook:
    """The workspace's playbook (``incident-response.md``), or the default ladder without one.

    Never refuses: a playbook still being written (``owner: TODO``, a review date missing, a
    broken ladder) gives what of it can be used and a warning for the rest, because the ladder
    is read while an incident is being opened. ``check`` reports the playbook's problems.
    """
    paths = document_paths(workspace, "incident-response")
    if not paths:
        return Playbook(None, None)
    from opsdocs.documents.parse import read_document
    from opsdocs.errors import OpsdocsError

    label = workspace.relative(paths[0])
    try:
        front = read_document(paths[0]).front_matter or {}
    except OpsdocsError as exc:
        return Playbook(None, label, warnings=[f"{exc}; using the default ladder"])
    return _lenient_playbook(front, label)


def _lenient_playbook(front: dict[str, object], label: str) -> Playbook:
    """The playbook's ladder and roles where they validate; a warning and the default for each
    that does not."""
    from pydantic import TypeAdapter, ValidationError

    playbook = Playbook(None, label, owner=usable_owner(front.get("owner")))
    for key, adapter, default in (
        ("severities", TypeAdapter(list[Severity]), "the default ladder"),
        ("roles", TypeAdapter(list[Role]), "the default roles"),
    ):
        if key not in front:
            continue
        try:
            parsed = adapter.validate_python(front[key])
            if not parsed:
                raise ValueError("it is empty")
            names = [
                str(getattr(item, "name", None) or getattr(item, "key", "")) for item in parsed
            ]
            _unique(names, key)
        except (ValidationError, ValueError) as exc:
            first = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
            playbook.warnings.append(f"{label}: {key} cannot be used ({first}); using {default}")
            continue
        setattr(playbook, "ladder" if key == "severities" else "roles", parsed)
    return playbook


def usable_owner(value: object) -> str | None:
    """``value`` when it names a team (``team-api``); None for a placeholder such as ``TODO``
    or anything that is not a name."""
    if not isinstance(value, str):
        return None
    name = value.strip()
    if not re.fullmatch(NAME, name) or name in ("todo", "tbd", "fixme", "unassigned"):
        return None
    return name
