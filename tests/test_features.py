"""Features register once: one descriptor per package, one list; the lower layers name none."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import opsdocs.features as features
from opsdocs.check.registry import all_rules
from opsdocs.cli import COMMANDS
from opsdocs.documents.kinds import KINDS, get_kind
from opsdocs.documents.scaffold import bundled_template
from opsdocs.features import (
    FEATURES,
    Feature,
    all_features,
    command_table,
    config_sections,
    rule_modules,
)

SRC = Path(__file__).resolve().parent.parent / "src" / "opsdocs"


def test_every_descriptor_loads_and_names_its_package() -> None:
    features = all_features()
    assert len(features) == len(FEATURES)
    for ref, feature in zip(FEATURES, features, strict=True):
        package = ref.partition(":")[0].removesuffix(".feature")
        assert package == f"opsdocs.{feature.name}"


def test_commands_rules_and_kinds_come_from_the_descriptors() -> None:
    assert command_table() == COMMANDS
    assert {"init", "check", "slo", "incident", "oncall", "alerts"} <= set(COMMANDS)
    sources = {rule.source for rule in all_rules()}
    assert set(rule_modules()) <= sources
    assert "opsdocs.slo.checks" in rule_modules()


def test_kinds_keep_the_index_order_and_live_with_their_feature() -> None:
    assert [k.name for k in KINDS] == [
        "runbook", "slo", "incident-response", "disaster-recovery", "monitoring", "on-call",
        "capacity", "cost", "incident", "postmortem", "dr-drill",
    ]  # fmt: skip
    assert get_kind("on-call").templates == "opsdocs.oncall"
    assert get_kind("runbook").templates == "opsdocs.documents"
    for kind in KINDS:
        package = SRC.joinpath(*kind.templates.split(".")[1:])
        assert (package / "templates" / kind.template_file).is_file(), kind.name
        assert bundled_template(kind.template_file).startswith("---\n")


def test_the_documents_layer_names_no_feature() -> None:
    for path in (SRC / "documents").glob("*.py"):
        if path.name == "feature.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert "import opsdocs.features" not in text and "from opsdocs.features" not in text
        for feature in ("slo", "incidents", "oncall", "monitoring", "check"):
            assert f"from opsdocs.{feature}" not in text, (path.name, feature)


def test_listing_the_features_loads_nothing_heavy() -> None:
    code = (
        "import sys; from opsdocs.features import command_table, all_features;"
        "command_table(); all_features();"
        "print([m for m in ('pydantic', 'yaml', 'markdown_it', 'opsdocs.check.engine')"
        " if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_configuration_tables_come_from_the_descriptors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from opsdocs.config import load_config

    assert set(config_sections()) == {
        "check", "profiles", "adopt", "slo", "report", "monitoring", "oncall", "dr", "capacity",
    }  # fmt: skip
    (tmp_path / "opsdocs.toml").write_text("[oncall]\nx = 1\n[colour]\ny = 2\n")
    config = load_config(tmp_path)
    assert config.section("oncall") == {"x": 1}
    assert [w.message for w in config.warnings] == ["unknown key 'colour' (ignored)"]
    monkeypatch.setattr(
        features, "all_features", lambda: (Feature("a", config=("t",)), Feature("b", config=("t",)))
    )
    with pytest.raises(RuntimeError, match="configuration table 't' registered twice \\(b\\)"):
        config_sections()
