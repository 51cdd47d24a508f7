"""Front matter of the DR/BCP plan (``disaster-recovery.md``): systems with their recovery
objectives, the backup jobs that protect them, failover, drill cadence and business processes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from opsdocs.documents.schemas import FrontMatter
from opsdocs.validators import Duration, EnvName

if TYPE_CHECKING:
    from opsdocs.documents.parse import Document
    from opsdocs.errors import DocumentError
    from opsdocs.workspace import Workspace

__all__ = [
    "BackupJob",
    "BusinessProcess",
    "DisasterRecoveryFrontMatter",
    "Duration",
    "Failover",
    "System",
    "VerifyCheck",
    "load_plan",
    "plan_problems",
    "validate_plan",
]

_NAME = r"^[a-z0-9][a-z0-9._-]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True)


class VerifyCheck(_Strict):
    """How ``opsdocs dr verify`` checks a restored copy (every check given must pass)."""

    files: int | None = Field(
        default=None, ge=0, description="At least this many files restored (default 1)."
    )
    checksums: str | None = Field(
        default=None,
        min_length=1,
        description="A 'sha256sum' list (relative to the workspace root) of files the copy "
        "must hold; its paths are relative to the backed-up folder.",
    )
    command: list[Annotated[str, Field(min_length=1)]] | None = Field(
        default=None,
        min_length=1,
        description="A command run as an argument list (no shell) in the restored folder; "
        "'{restored}' in an argument is that folder. Exit 0 passes.",
    )


class BackupJob(_Strict):
    """A backup job that protects a system."""

    name: str = Field(pattern=_NAME, description="The job's name, e.g. 'pg-nightly'.")
    tool: str = Field(min_length=1, description="restic, pgbackrest, velero, or any other name.")
    what: str | None = Field(default=None, description="What it copies.")
    schedule: Duration = Field(description="How often it runs, as an interval: '1h', '1d'.")
    archive_every: Duration | None = Field(
        default=None,
        description="Continuous archiving (a WAL or binlog archive): the longest time between "
        "two archived segments, e.g. PostgreSQL's archive_timeout. The data lost is then bounded "
        "by it, not by 'schedule' (the base backups' interval).",
    )
    retention: Duration | None = Field(default=None, description="How long copies are kept.")
    stored: str | None = Field(default=None, description="Where the copies are stored.")
    offsite: bool = Field(default=False, description="A copy is kept in another site or region.")
    immutable: bool = Field(default=False, description="Copies cannot be changed or deleted.")
    repository: str | None = Field(
        default=None, description="restic: the repository 'opsdocs dr status' reads with restic."
    )
    password_env: EnvName | None = Field(
        default=None,
        description="restic: the environment variable holding the repository password.",
    )
    password_file: str | None = Field(
        default=None,
        min_length=1,
        description="restic: a file holding the repository password (relative to the workspace "
        "root); used instead of password_env.",
    )
    tag: str | None = Field(
        default=None,
        min_length=1,
        description="restic: snapshots with this tag belong to the job (default: its name).",
    )
    verify: VerifyCheck | None = Field(
        default=None, description="restic: how 'opsdocs dr verify' checks a restored copy."
    )
    stanza: str | None = Field(
        default=None,
        min_length=1,
        description="pgbackrest: backups of this stanza belong to the job (default: its name).",
    )
    velero_schedule: str | None = Field(
        default=None,
        min_length=1,
        description="velero: backups made by this schedule belong to the job (default: its name).",
    )

    @property
    def snapshot_tag(self) -> str:
        return self.tag or self.name

    @property
    def evidence_name(self) -> str:
        """The name the job's tool gives its copies: restic tag, pgBackRest stanza or Velero
        schedule (the job's name unless the plan says otherwise)."""
        tool = self.tool.lower()
        if tool == "pgbackrest":
            return self.stanza or self.name
        if tool == "velero":
            return self.velero_schedule or self.name
        return self.snapshot_tag


class Failover(_Strict):
    """How the system fails over."""

    mode: Literal["active-active", "active-passive", "none"] = "active-passive"
    trigger: Literal["manual", "automatic"] = "manual"
    runbook: str | None = Field(default=None, description="The failover runbook (a link).")


class System(_Strict):
    """A system and its recovery objectives."""

    name: str = Field(pattern=_NAME)
    tier: int = Field(ge=0, le=4, description="0 (most critical) to 4.")
    rto: Duration | None = Field(default=None, description="Recovery Time Objective, e.g. '4h'.")
    rpo: Duration | None = Field(default=None, description="Recovery Point Objective, e.g. '15m'.")
    backups: list[BackupJob] = Field(default_factory=list)
    restore_runbook: str | None = Field(default=None, description="The restore runbook (a link).")
    depends_on: list[Annotated[str, Field(pattern=_NAME)]] = Field(default_factory=list)
    failover: Failover | None = None


class BusinessProcess(_Strict):
    """A business process, the systems it needs and how long it may be down."""

    name: str = Field(min_length=1)
    systems: list[Annotated[str, Field(pattern=_NAME)]] = Field(min_length=1)
    max_downtime: Duration = Field(description="Maximum tolerable downtime, e.g. '8h'.")


class DisasterRecoveryFrontMatter(FrontMatter):
    """The DR/BCP plan: systems, backups, failover, drill cadence per tier, business processes."""

    systems: list[System] = Field(default_factory=list)
    drills: dict[int, Duration] = Field(
        default_factory=dict, description="Tier -> how often it is drilled, e.g. {1: 90d}."
    )
    processes: list[BusinessProcess] = Field(default_factory=list)


def plan_problems(doc: Document, plan: DisasterRecoveryFrontMatter) -> list[DocumentError]:
    """What is wrong between the plan's systems, each at its key: a system listed twice, a
    ``depends_on`` naming no system of the plan, and each dependency cycle (once, at the
    ``depends_on`` entry that closes it)."""
    from opsdocs.errors import DocumentError

    problems: list[DocumentError] = []

    def at(*key: str | int, message: str, hint: str) -> None:
        problems.append(DocumentError.at(doc, key, message, hint=hint))

    seen: dict[str, int] = {}
    for index, system in enumerate(plan.systems):
        if system.name in seen:
            at(
                "systems",
                index,
                "name",
                message=f"systems[{index}].name: system {system.name!r} is listed twice",
                hint="give each system one entry",
            )
        else:
            seen[system.name] = index
    for index, system in enumerate(plan.systems):
        for number, name in enumerate(system.depends_on):
            if name not in seen:
                at(
                    "systems",
                    index,
                    "depends_on",
                    number,
                    message=f"systems[{index}].depends_on: no system {name!r} in the plan",
                    hint="list it under 'systems', or remove the dependency",
                )
    done: set[str] = set()
    cycles: set[frozenset[str]] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in done:
            return
        index = seen[name]
        for number, dep in enumerate(plan.systems[index].depends_on):
            if dep not in seen:
                continue
            if dep == name or dep in path:
                loop = (*path[path.index(dep) :], name, dep) if dep in path else (name, name)
                if frozenset(loop) not in cycles:
                    cycles.add(frozenset(loop))
                    at(
                        "systems",
                        index,
                        "depends_on",
                        number,
                        message=f"systems[{index}].depends_on: dependency cycle "
                        + " -> ".join(loop),
                        hint="a system cannot depend on itself, directly or through others",
                    )
                continue
            visit(dep, (*path, name))
        done.add(name)

    for system in plan.systems:
        if seen.get(system.name) is not None:
            visit(system.name, ())
    return problems


def validate_plan(doc: Document) -> DisasterRecoveryFrontMatter:
    """The plan of ``doc``; a :class:`DocumentError` at the first wrong key's line, or at the
    first of :func:`plan_problems` (a dependency cycle is one of them)."""
    from opsdocs.documents.specs import read_spec_document

    hint = "see 'opsdocs schema disaster-recovery' and docs/dr.md"
    plan = read_spec_document(doc, DisasterRecoveryFrontMatter, hint=hint).spec
    problems = plan_problems(doc, plan)
    if problems:
        raise problems[0]
    return plan


def load_plan(workspace: Workspace) -> tuple[Document, DisasterRecoveryFrontMatter]:
    """The workspace's ``disaster-recovery.md`` and its plan; InputError when there is none."""
    from opsdocs.documents.folder import document_paths
    from opsdocs.documents.parse import read_document
    from opsdocs.errors import InputError

    paths = document_paths(workspace, "disaster-recovery")
    if not paths:
        raise InputError(
            "no disaster-recovery.md in the operations folder",
            path=workspace.docs_dir,
            hint="create it with 'opsdocs new disaster-recovery'",
        )
    doc = read_document(paths[0])
    return doc, validate_plan(doc)
