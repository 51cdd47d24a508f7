"""The kinds of the DR/BCP feature: the ``disaster-recovery`` plan and the ``dr-drill`` records
(templates in ``templates/``)."""

from __future__ import annotations

from opsdocs.documents.kinds import Kind

__all__ = ["KINDS"]

_DISASTER_RECOVERY = Kind(
    index_order=40,
    templates="opsdocs.dr",
    name="disaster-recovery",
    label="DR/BCP Plan",
    index_heading="DR/BCP",
    purpose="Disaster recovery and business continuity",
    filename="disaster-recovery.md",
    empty_index_text="(Create `disaster-recovery.md`)",
    schema_ref="opsdocs.dr.spec:DisasterRecoveryFrontMatter",
)

_DR_DRILL = Kind(
    index_order=110,
    templates="opsdocs.dr",
    name="dr-drill",
    label="DR Drill",
    index_heading="DR Drills",
    purpose="The record of one restore or failover test, against the recovery objectives",
    filename="{date}-{name}.md",
    folder="dr-drills",
    examples=("2026-11-30-orders-db.md",),
    name_help="system",
    empty_index_text="(None yet - record one with `opsdocs dr drill SYSTEM`)",
    schema_ref="opsdocs.dr.drills:DrillFrontMatter",
    index_limit=10,
    index_newest_first=True,
    index_facts=("system", "result"),
    reviewed=False,
    created_by="opsdocs dr drill",
)

KINDS: tuple[Kind, ...] = (_DISASTER_RECOVERY, _DR_DRILL)
