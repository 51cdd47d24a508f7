"""The kind of the DR/BCP feature: the ``disaster-recovery`` plan (template in ``templates/``)."""

from __future__ import annotations

from opsdocs.documents.kinds import Kind, SectionSpec

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
    sections=(
        SectionSpec(
            "Recovery Objectives",
            "RTO (Recovery Time Objective) and RPO (Recovery Point Objective) per service.",
        ),
        SectionSpec("Backup Strategy", "What's backed up, how often, where, and for how long."),
        SectionSpec("Restore Procedures", "Step-by-step recovery, with the exact commands."),
        SectionSpec("Failover Plan", "How to switch to backup systems, and how to fail back."),
        SectionSpec(
            "Testing", "How and how often the DR plan is tested; the last test and its result."
        ),
    ),
)

KINDS: tuple[Kind, ...] = (_DISASTER_RECOVERY,)
