"""The features of opsdocs, registered once.

A feature is a package (``opsdocs.slo``, ``opsdocs.incidents``, ...) with one descriptor, a
:class:`Feature` in its ``feature`` module: the module of its ``check`` rules, its command groups
and the tables of the configuration it validates itself. The document kinds it owns are data in
its ``templates/kinds.toml``, next to their templates (:func:`opsdocs.documents.kinds.load_kinds`
reads them). Every reference is an import path string, so that listing the features
(``opsdocs --help``) imports nothing but the descriptors, and so that the lower layers
(``opsdocs.documents``, ``opsdocs.check``) name no feature: they ask this module, by import path,
when they need to.

Adding an area is a package with a ``feature.py`` (and a ``templates/kinds.toml`` if it owns
document kinds) and one line in :data:`FEATURES`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from functools import cache
from typing import Any

__all__ = [
    "FEATURES",
    "Feature",
    "all_features",
    "command_table",
    "config_sections",
    "feature_packages",
    "index_blocks",
    "resolve",
    "rule_modules",
]

#: Every feature's descriptor ("module:attribute"). A new area adds one line. (``opsdocs.reports``
#: and ``opsdocs.sources`` are libraries other features use; they register nothing.)
FEATURES: tuple[str, ...] = (
    "opsdocs.documents.feature:FEATURE",
    "opsdocs.check.feature:FEATURE",
    "opsdocs.slo.feature:FEATURE",
    "opsdocs.incidents.feature:FEATURE",
    "opsdocs.monitoring.feature:FEATURE",
    "opsdocs.oncall.feature:FEATURE",
    "opsdocs.dr.feature:FEATURE",
    "opsdocs.cost.feature:FEATURE",
    "opsdocs.site.feature:FEATURE",
    "opsdocs.capacity.feature:FEATURE",
)


@dataclass(frozen=True)
class Feature:
    """What one feature package brings; every reference is an import path string."""

    name: str
    #: Modules exposing ``RULES: list[Rule]`` for ``opsdocs check``.
    rules: tuple[str, ...] = ()
    #: Top-level command name -> "module:attribute" of its Click command or group.
    commands: dict[str, str] = field(default_factory=dict)
    #: Tables of the configuration (``[tool.opsdocs.<name>]``) this feature reads and validates.
    config: tuple[str, ...] = ()
    #: "module:function"s ``(workspace) -> list[BlockUpdate]``: the generated blocks in this
    #: feature's documents that ``opsdocs index`` keeps current with the README's index.
    index_blocks: tuple[str, ...] = ()


def resolve(ref: str) -> Any:
    """What the import path ``ref`` ("module:attribute") names, its module imported now."""
    module, _, attr = ref.partition(":")
    return getattr(importlib.import_module(module), attr)


@cache
def all_features() -> tuple[Feature, ...]:
    """The descriptors of :data:`FEATURES`, in order."""
    return tuple(resolve(ref) for ref in FEATURES)


def command_table() -> dict[str, str]:
    """Every top-level command -> "module:attribute". Raises RuntimeError on a clash."""
    table: dict[str, str] = {}
    for feature in all_features():
        for name, target in feature.commands.items():
            if name in table:
                raise RuntimeError(f"command {name!r} registered twice ({feature.name})")
            table[name] = target
    return table


def config_sections() -> tuple[str, ...]:
    """Every feature's configuration tables, in feature order. Raises RuntimeError on a clash."""
    owner: dict[str, str] = {}
    for feature in all_features():
        for name in feature.config:
            if name in owner:
                raise RuntimeError(
                    f"configuration table {name!r} registered twice ({feature.name})"
                )
            owner[name] = feature.name
    return tuple(owner)


def rule_modules() -> list[str]:
    """Every feature's rule modules, in feature order."""
    return [module for feature in all_features() for module in feature.rules]


def index_blocks() -> list[Any]:
    """Every feature's ``index_blocks`` functions, in feature order."""
    return [resolve(ref) for feature in all_features() for ref in feature.index_blocks]


def feature_packages() -> list[str]:
    """Every feature's package (that of its descriptor's module), in feature order: where the
    kind registry looks for ``templates/kinds.toml``."""
    return [ref.partition(":")[0].rpartition(".")[0] for ref in FEATURES]
