"""The content-hash cache: warm runs skip parsing, edits invalidate, the folder is disposable."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from opsdocs.check import engine
from opsdocs.check.engine import CheckOptions, run_check
from opsdocs.workspace import Workspace
from tests.check.test_cli import RUNBOOK
from tests.conftest import Result, build_tree

TODAY = dt.date(2026, 6, 1)


def setup(tmp_path: Path, config: str = "") -> tuple[Workspace, Path]:
    (tmp_path / "opsdocs.toml").write_text(config)
    folder = build_tree(
        tmp_path / "d",
        {
            "runbook-api.md": RUNBOOK.replace("None yet.", "TODO"),
            "runbook-web.md": RUNBOOK.replace("service: api", "service: web"),
        },
    )
    return Workspace.discover(root=tmp_path), folder


def check(ws: Workspace, folder: Path, **kw: object) -> engine.CheckResult:
    return run_check(ws, [folder], CheckOptions(today=TODAY, **kw))  # type: ignore[arg-type]


def summary(result: engine.CheckResult) -> list[tuple[str, int, str]]:
    return [(f.path, f.line, f.code) for f in result.findings]


def test_warm_run_parses_nothing_and_gives_the_same_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws, folder = setup(tmp_path)
    cold = check(ws, folder)
    assert (cold.parsed, cold.cached) == (2, 0)
    assert (tmp_path / ".opsdocs" / "cache").is_dir()

    def no_parse(*args: object) -> object:
        raise AssertionError("a cached document was parsed again")

    monkeypatch.setattr(engine, "analyze_document", no_parse)
    warm = check(ws, folder)
    assert (warm.parsed, warm.cached) == (0, 2)
    assert summary(warm) == summary(cold)


def test_edit_invalidates_only_that_file(tmp_path: Path) -> None:
    ws, folder = setup(tmp_path)
    check(ws, folder)
    text = RUNBOOK.replace("service: api", "service: web") + "\nTBD\n"
    (folder / "runbook-web.md").write_text(text)
    again = check(ws, folder)
    assert (again.parsed, again.cached) == (1, 1)
    line = text.split("\n").index("TBD") + 1
    assert ("d/runbook-web.md", line, "CT001") in {(f.uri, f.line, f.code) for f in again.findings}


def test_cross_document_rules_see_changes_in_other_files(tmp_path: Path) -> None:
    ws, folder = setup(tmp_path)
    text = RUNBOOK.replace("Page the owning team.", "[web](runbook-web.md)")
    (folder / "runbook-api.md").write_text(text)
    assert not [f for f in check(ws, folder).findings if f.code == "LK001"]
    (folder / "runbook-web.md").unlink()  # the cached runbook-api.md is unchanged
    broken = [f for f in check(ws, folder).findings if f.code == "LK001"]
    assert [(f.uri, f.line) for f in broken] == [
        ("d/runbook-api.md", text.split("\n").index("[web](runbook-web.md)") + 1)
    ]


def test_deleting_the_cache_folder_is_safe(tmp_path: Path) -> None:
    ws, folder = setup(tmp_path)
    cold = check(ws, folder)
    shutil.rmtree(tmp_path / ".opsdocs" / "cache")
    again = check(ws, folder)
    assert again.parsed == 2
    assert summary(again) == summary(cold)


def test_corrupt_cache_is_ignored(tmp_path: Path) -> None:
    ws, folder = setup(tmp_path)
    cold = check(ws, folder)
    for file in (tmp_path / ".opsdocs" / "cache").glob("check-*.json"):
        file.write_text("{not json")
    again = check(ws, folder)
    assert again.parsed == 2
    assert summary(again) == summary(cold)


def test_profiles_are_part_of_the_key(tmp_path: Path) -> None:
    ws, folder = setup(tmp_path)
    check(ws, folder)
    (tmp_path / "opsdocs.toml").write_text('[profiles.runbook]\nsections = ["Service Overview"]\n')
    ws = Workspace.discover(root=tmp_path)
    assert check(ws, folder).parsed == 2


def test_no_cache_writes_nothing(tmp_path: Path) -> None:
    ws, folder = setup(tmp_path)
    check(ws, folder, cache=False)
    assert not (tmp_path / ".opsdocs").exists()


def test_parallel_run_matches_serial(tmp_path: Path) -> None:
    ws, folder = setup(tmp_path)
    for i in range(6):
        (folder / f"runbook-s{i}.md").write_text(
            RUNBOOK.replace("service: api", f"service: s{i}").replace("None yet.", "TBD")
        )
    serial = check(ws, folder, cache=False, jobs=1)
    parallel = check(ws, folder, cache=False, jobs=2, parallel_threshold=2)
    assert summary(parallel) == summary(serial)
    assert len(serial.findings) == 7


def test_a_cold_run_reads_each_file_once_and_caches_every_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file the cache holds nothing for is read once, where it is parsed (in a worker
    process when there are several), and its entry is kept at the hash of the bytes parsed; a
    warm run reads each file once, to hash it."""
    import builtins
    import os

    from opsdocs.cache import Cache, content_hash
    from opsdocs.check.settings import load_settings

    ws, folder = setup(tmp_path)
    for i in range(4):
        (folder / f"runbook-s{i}.md").write_text(RUNBOOK.replace("service: api", f"service: s{i}"))
    names = sorted(p.name for p in folder.iterdir())
    opened: list[str] = []
    real_open, real_os_open = builtins.open, os.open

    def counting(real: Callable[..., Any]) -> Callable[..., Any]:
        def call(path: Any, *args: Any, **kwargs: Any) -> Any:
            if os.path.dirname(os.fspath(path)) == str(folder):
                opened.append(os.path.basename(path))
            return real(path, *args, **kwargs)

        return call

    monkeypatch.setattr(builtins, "open", counting(real_open))
    monkeypatch.setattr(os, "open", counting(real_os_open))
    serial = check(ws, folder, jobs=1)
    assert (sorted(opened), serial.parsed) == (names, 6)
    opened.clear()
    assert (check(ws, folder, jobs=1).cached, sorted(opened)) == (6, names)
    monkeypatch.undo()
    shutil.rmtree(tmp_path / ".opsdocs")
    cold = check(ws, folder, jobs=2, parallel_threshold=2)
    key = engine.check_cache_key(load_settings(ws.config))
    cache = Cache(tmp_path / ".opsdocs" / "cache", "check", key).load()
    assert {Path(path).name: entry["hash"] for path, entry in cache.entries.items()} == {
        name: content_hash((folder / name).read_bytes()) for name in names
    }
    warm = check(ws, folder, jobs=2, parallel_threshold=2)
    assert (warm.parsed, warm.cached) == (0, 6)
    assert summary(warm) == summary(cold) == summary(serial)


def test_cache_entries_of_the_wrong_shape_are_ignored(tmp_path: Path) -> None:
    import json

    ws, folder = setup(tmp_path)
    cold = check(ws, folder)
    (cache_file,) = (tmp_path / ".opsdocs" / "cache").glob("check-*.json")
    data = json.loads(cache_file.read_text())
    first, second = sorted(data["entries"])
    data["entries"][first]["facts"] = {"unexpected": 1}
    data["entries"][second]["findings"] = [["XX999", 1, 1, "m", None]]
    cache_file.write_text(json.dumps(data))
    again = check(ws, folder)
    assert again.parsed == 2
    assert summary(again) == summary(cold)


def test_editing_a_helper_module_of_a_feature_invalidates_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    import opsdocs
    from opsdocs.cache import cache_key

    # A copy of the package, so that the real source files keep their times: other tests
    # running meanwhile (in other processes) compute their cache keys from them.
    copy = tmp_path / "opsdocs"
    shutil.copytree(
        Path(opsdocs.__file__ or "").parent, copy, ignore=shutil.ignore_patterns("__pycache__")
    )
    monkeypatch.setattr(opsdocs, "__file__", str(copy / "__init__.py"))
    helper = copy / "incidents" / "validate.py"
    before = helper.stat()
    key = cache_key("settings")
    os.utime(helper, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))
    assert cache_key("settings") != key
    os.utime(helper, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert cache_key("settings") == key


SWAP_A = '[profiles.strict]\npaths = ["d/runbook-*.md"]\nsections = ["Service Overview", "Nope", "Nada"]\n'
SWAP_B = '[profiles.loose]\npaths = ["*.md"]\nsections = ["Service Overview"]\n'


def test_swapping_two_overlapping_profiles_is_a_new_cache_key(tmp_path: Path) -> None:
    """The first matching profile wins, so profile order is configuration: a warm run after a
    swap must give what a run without the cache gives."""
    ws, folder = setup(tmp_path, SWAP_A + SWAP_B)
    first = check(ws, folder)
    (tmp_path / "opsdocs.toml").write_text(SWAP_B + SWAP_A)
    ws = Workspace.discover(root=tmp_path)
    warm = check(ws, folder)
    fresh = check(ws, folder, cache=False)
    assert summary(warm) == summary(fresh)
    assert summary(warm) != summary(first)


def test_two_profiles_matching_one_file_is_a_warning_naming_both(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    setup(tmp_path, SWAP_A + SWAP_B)
    result = cli("check", "d", cwd=tmp_path)
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == [
        f"warning: d/{name}: profiles 'strict' (paths 'd/runbook-*.md') and 'loose' "
        "(paths '*.md') both match; 'strict' applies, being first "
        "(narrow the paths so that one profile matches each file)"
        for name in ("runbook-api.md", "runbook-web.md")
    ]
    # One profile per file: no warning.
    (tmp_path / "opsdocs.toml").write_text(SWAP_A)
    assert "warning:" not in cli("check", "d", cwd=tmp_path).stderr
