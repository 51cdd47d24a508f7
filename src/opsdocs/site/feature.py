"""The portal feature: the ``site`` commands (it owns no document kind and no rule)."""

from __future__ import annotations

from opsdocs.features import Feature

FEATURE = Feature(
    name="site",
    commands={"site": "opsdocs.cli.site:site"},
)
