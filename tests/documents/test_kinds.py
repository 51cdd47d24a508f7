"""Kinds are data: a package's templates/kinds.toml, read and checked by one loader."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from opsdocs.documents.kinds import KINDS, Kind, load_kinds
from opsdocs.features import feature_packages
from tests.conftest import build_tree

_PACKAGES = itertools.count()

DRILL = """\
# a comment
[[kind]]
name = "drill"
index_order = 5
label = "Drill"
index_heading = "Drills"
purpose = "One drill"
filename = "{date}-{name}.md"
schema_ref = "opsdocs.documents.schemas:RunbookFrontMatter"
folder = "drills"
index_limit = 3
reviewed = false
index_facts = ["system", "result"]

[[kind]]
name = "plan"
label = "Plan"
index_heading = "Plans"
purpose = "The plan"
filename = "plan.md"
schema_ref = "opsdocs.documents.schemas:RunbookFrontMatter"
"""


def _package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kinds: str | None) -> str:
    """A fresh importable package (a new name each time: resources are looked up by name)."""
    name = f"kindpkg{next(_PACKAGES)}"
    files = {f"{name}/__init__.py": ""}
    if kinds is not None:
        files[f"{name}/templates/kinds.toml"] = kinds
    build_tree(tmp_path, files)
    monkeypatch.syspath_prepend(str(tmp_path))
    return name


def test_each_table_becomes_a_kind_of_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = _package(tmp_path, monkeypatch, DRILL)
    drill, plan = load_kinds(package)
    assert drill == Kind(
        name="drill",
        index_order=5,
        label="Drill",
        index_heading="Drills",
        purpose="One drill",
        filename="{date}-{name}.md",
        schema_ref="opsdocs.documents.schemas:RunbookFrontMatter",
        folder="drills",
        index_limit=3,
        reviewed=False,
        index_facts=("system", "result"),
        templates=package,
    )
    assert (plan.name, plan.singleton, plan.reviewed, plan.templates) == (
        "plan",
        True,
        True,
        package,
    )
    assert plan.empty_index_text == "(None yet)" and plan.index_facts == ()


def test_a_package_without_the_file_owns_no_kind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert load_kinds(_package(tmp_path, monkeypatch, None)) == ()
    assert load_kinds("opsdocs.check") == ()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('name = "plan"', 'name = "plan"\ncolour = "red"'), "kind 2: unknown key 'colour'"),
        (("index_order = 5", 'index_order = "5"'), "kind 1: index_order must be a whole number"),
        (("index_order = 5", "index_order = true"), "kind 1: index_order must be a whole number"),
        (("reviewed = false", "reviewed = 0"), "kind 1: reviewed must be true or false"),
        (('"system", "result"', '"system", 2'), "kind 1: index_facts must be a list of strings"),
        (('index_facts = ["system", "result"]', 'index_facts = "system"'), "kind 1: index_facts "
         "must be a list of strings"),
        (('label = "Plan"\n', ""), "kind 2: label is missing"),
        (('folder = "drills"', 'templates = "elsewhere"'), "kind 1: unknown key 'templates'"),
        (('purpose = "One drill"', "purpose = 1"), "kind 1: purpose must be a string"),
        (("# a comment", "[kinds]\nx = 1"), "unknown table 'kinds'"),
    ],
)  # fmt: skip
def test_a_wrong_table_is_named_with_its_file_and_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: tuple[str, str], message: str
) -> None:
    assert change[0] in DRILL
    package = _package(tmp_path, monkeypatch, DRILL.replace(*change))
    with pytest.raises(RuntimeError) as caught:
        load_kinds(package)
    assert str(caught.value) == f"{package}/templates/kinds.toml: {message}"


def test_the_registry_reads_every_feature_package() -> None:
    from_files = {kind for package in feature_packages() for kind in load_kinds(package)}
    assert from_files == set(KINDS)
    assert {kind.templates for kind in KINDS} == {
        "opsdocs.documents", "opsdocs.slo", "opsdocs.incidents", "opsdocs.dr",
        "opsdocs.monitoring", "opsdocs.oncall", "opsdocs.capacity", "opsdocs.cost",
    }  # fmt: skip
