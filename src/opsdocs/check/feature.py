"""The check feature: the linter's own rules and its commands."""

from __future__ import annotations

from opsdocs.features import Feature

FEATURE = Feature(
    name="check",
    rules=(
        "opsdocs.check.rules.inputs",
        "opsdocs.check.rules.frontmatter",
        "opsdocs.check.rules.naming",
        "opsdocs.check.rules.structure",
        "opsdocs.check.rules.content",
        "opsdocs.check.rules.links",
        "opsdocs.check.rules.freshness",
        "opsdocs.check.rules.index",
        "opsdocs.check.rules.crossdoc",
    ),
    config=("check", "profiles", "adopt"),
    commands={
        "check": "opsdocs.cli.check:check_command",
        "rule": "opsdocs.cli.check:rule_command",
        "adopt": "opsdocs.cli.check:adopt_command",
    },
)
