"""The slo rules cache: an index in JSON, the generated files in a text file beside it."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from opsdocs.slo.cache import RulesCache


def entry(n: int) -> dict[str, Any]:
    return {
        "findings": [[f"docs/slo-{n}.md", 3, 5, "a warning", "warning"]],
        "outputs": [
            [f"slo-{n}.yaml", f'groups:\n  - name: "é{n}"\n    expr: |-\n      x{{a="{n}"}}\n'],
            [f"slo-{n}.x.test.yaml", ""],
        ],
        "notes": [f"note {n}"],
    }


def saved(tmp_path: Path) -> RulesCache:
    cache = RulesCache(tmp_path / "cache", "k1")
    for n in range(3):
        cache.put(f"docs/slo-{n}.md", f"h{n}", entry(n))
    cache.save()
    return cache


def test_saved_entries_load_as_they_were_put(tmp_path: Path) -> None:
    saved(tmp_path)
    loaded = RulesCache(tmp_path / "cache", "k1").load()
    for n in range(3):
        assert loaded.get(f"docs/slo-{n}.md", f"h{n}") == {"hash": f"h{n}", **entry(n)}
    assert loaded.get("docs/slo-0.md", "other") is None
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == [
        "slo-rules-k1.json",
        "slo-rules-k1.txt",
        "slo-rules.lock",  # held while saving (parallel runs merge)
    ]
    index = json.loads((tmp_path / "cache/slo-rules-k1.json").read_text())
    assert "groups:" not in json.dumps(index)  # the texts live in the .txt file only


def test_text_file_of_another_run_or_cut_short_is_ignored(tmp_path: Path) -> None:
    cache = saved(tmp_path)
    original = cache.texts.read_text(encoding="utf-8")
    stamp, _, blob = original.partition("\n")
    for broken in (f"{'0' * len(stamp)}\n{blob}", original[:-5], ""):
        cache.texts.write_text(broken, encoding="utf-8")
        assert RulesCache(tmp_path / "cache", "k1").load().entries == {}
    cache.texts.unlink()
    assert RulesCache(tmp_path / "cache", "k1").load().entries == {}


def test_offsets_outside_the_text_file_are_ignored(tmp_path: Path) -> None:
    cache = saved(tmp_path)
    index = json.loads(cache.file.read_text())
    index["entries"]["docs/slo-1.md"]["outputs"][0][2] = index["length"] + 1
    cache.file.write_text(json.dumps(index))
    assert RulesCache(tmp_path / "cache", "k1").load().entries == {}


def test_a_new_key_replaces_the_old_files(tmp_path: Path) -> None:
    saved(tmp_path)
    other = RulesCache(tmp_path / "cache", "k2")
    other.put("docs/slo-0.md", "h0", entry(0))
    other.save()
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == [
        "slo-rules-k2.json",
        "slo-rules-k2.txt",
        "slo-rules.lock",
    ]
    assert RulesCache(tmp_path / "cache", "k1").load().entries == {}


def test_text_file_is_written_whole_with_the_usual_permissions(tmp_path: Path) -> None:
    cache = RulesCache(tmp_path / "c", "k")
    texts = [f"file {i}\n" * (i + 1) for i in range(50)]
    cache.put(
        "a.md",
        "h",
        {"findings": [], "outputs": [[f"{i}.yaml", t] for i, t in enumerate(texts)], "notes": []},
    )
    cache.save()
    blob = cache.texts.read_text(encoding="utf-8")
    stamp, _, rest = blob.partition("\n")
    assert rest == "".join(texts) and len(stamp) == 16
    umask = os.umask(0)
    os.umask(umask)
    assert cache.texts.stat().st_mode & 0o777 == 0o666 & ~umask
    assert [p.name for p in (tmp_path / "c").iterdir() if p.name.endswith(".tmp")] == []


def test_two_runs_saving_at_once_keep_both_runs_entries(tmp_path: Path) -> None:
    first = RulesCache(tmp_path / "cache", "k1").load()
    second = RulesCache(tmp_path / "cache", "k1").load()  # loaded before the first saves
    first.put("docs/slo-0.md", "h0", entry(0))
    second.put("docs/slo-1.md", "h1", entry(1))
    first.save()
    second.save()
    loaded = RulesCache(tmp_path / "cache", "k1").load()
    assert loaded.get("docs/slo-0.md", "h0") == {"hash": "h0", **entry(0)}
    assert loaded.get("docs/slo-1.md", "h1") == {"hash": "h1", **entry(1)}
