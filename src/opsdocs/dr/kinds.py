"""The kind of the DR/BCP feature: the ``disaster-recovery`` plan (template in ``templates/``)."""

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

KINDS: tuple[Kind, ...] = (_DISASTER_RECOVERY,)
